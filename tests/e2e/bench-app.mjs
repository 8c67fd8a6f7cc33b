// Figures for the desktop app (issue 6, item 2): not pass/fail, a bench. Run it through
// scripts/bench-app.sh (`make bench-app`), which provides Xvfb, a D-Bus session with an unlocked
// keyring and a throwaway XDG home. It lives beside the e2e checks for their webdriverio.
//
// What it measures, on the release build (APP, default target/dist/signstash-desk):
//  1. Launch → interactive window, BENCH_LAUNCHES times (default 10). The app is started directly
//     (no WebDriver) with SIGNSTASH_DESK_REPORT_READY=1; the page emits `window-ready` once the
//     main view is rendered with its buttons wired (after `app_info` answered) and the app prints
//     the moment as one JSON line. Launch time = that moment − the moment before spawn() here,
//     both wall-clock. Launch 1 is the first start on a fresh profile (creates the settings and
//     the embedded sandbox's test CA); the others are warm (profile and page cache warm).
//  2. Idle memory of the process tree (app + WebKitWebProcess + WebKitNetworkProcess):
//     PSS/RSS/USS from /proc/<pid>/smaps_rollup, 5 s after the last warm launch was ready.
//  3. Over WebDriver (tauri-driver, one session): 1,000 PDFs handed to the window as the
//     `open-files` event (what "Open with" / a second launch does; a drop takes the same path):
//     a folder, and 1,000 separate paths, BENCH_LIST_RUNS times each; time from the event to the
//     rows in the DOM (MutationObserver) and to the next animation frame; the intake command
//     alone. Then scrolling: per step, the list's frame callback + style + layout, timed by
//     wrapping requestAnimationFrame; and the frame intervals seen. Memory again after listing.
//  4. Sizes: the binary and the .deb (target/dist/bundle/deb).
// Prints a readable report, then one JSON object as the last line.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { pdf } from './documents.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const application = resolve(process.env.APP ?? join(root, 'target/dist/signstash-desk'));
const tauriDriver = resolve(process.env.TAURI_DRIVER ?? join(root, '.tools/bin/tauri-driver'));
const port = Number(process.env.TAURI_DRIVER_PORT ?? 4470);
const launches = Math.max(2, Number(process.env.BENCH_LAUNCHES ?? 10));
const listRuns = Math.max(1, Number(process.env.BENCH_LIST_RUNS ?? 5));
const logDir = join(root, 'target/bench-app');
const FILES = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const round = (x, digits = 0) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(digits)));

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, p95: at(0.95), max: sorted[sorted.length - 1], min: sorted[0] };
}

// ---------------------------------------------------------------- processes and memory

/** pid → { ppid, pgrp, comm } for every process (from /proc/<pid>/stat). */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      table.set(Number(name), { ppid: Number(fields[1]), pgrp: Number(fields[2]), comm });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

/** `pid` and all its descendants. */
function tree(pid) {
  const table = processTable();
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    for (const [child, info] of table) if (info.ppid === found[i]) found.push(child);
  }
  return found.filter((p) => table.has(p)).map((p) => ({ pid: p, comm: table.get(p).comm }));
}

/** PSS, RSS and USS (private) in MiB per process of `pid`'s tree, and their sums. */
function treeMemory(pid) {
  const processes = [];
  for (const { pid: p, comm } of tree(pid)) {
    let text;
    try {
      text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
    } catch {
      continue;
    }
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    processes.push({
      pid: p,
      name: comm,
      pss: kib('Pss') / 1024,
      rss: kib('Rss') / 1024,
      uss: (kib('Private_Clean') + kib('Private_Dirty')) / 1024,
    });
  }
  const sum = (key) => processes.reduce((s, x) => s + x[key], 0);
  return { processes, pss: sum('pss'), rss: sum('rss'), uss: sum('uss') };
}

function describeMemory(m) {
  const parts = m.processes.map((p) => `${p.name} ${p.pss.toFixed(1)}`).join(', ');
  return `PSS ${m.pss.toFixed(1)} MiB (${parts}); RSS ${m.rss.toFixed(1)} MiB; USS ${m.uss.toFixed(1)} MiB`;
}

function roundMemory(m) {
  return {
    pss_mib: round(m.pss, 1),
    rss_mib: round(m.rss, 1),
    uss_mib: round(m.uss, 1),
    processes: m.processes.map((p) => ({ name: p.name, pss_mib: round(p.pss, 1), rss_mib: round(p.rss, 1) })),
  };
}

/** CPU time (user + system, ms) used so far by `pid`'s tree: load-independent, unlike wall time. */
function treeCpuMs(pid) {
  let ticks = 0;
  for (const { pid: p } of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of stat, in clock ticks (USER_HZ = 100 on Linux).
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks * 10;
}

/** Stops a process group started with `detached: true` and waits until none of it is left. */
async function stopGroup(pid) {
  const alive = () => [...processTable().values()].some((p) => p.pgrp === pid);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(); i++) await sleep(50);
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    for (let i = 0; i < 100 && alive(); i++) await sleep(50);
  }
}

// ---------------------------------------------------------------- 1. launches

/** Starts the app, waits for its ready line; returns the figures and the running child. */
async function launch(index) {
  const log = createWriteStream(join(logDir, `launch-${index}.log`));
  const started = now();
  const child = spawn(application, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIGNSTASH_DESK_REPORT_READY: '1' },
  });
  child.stderr.pipe(log);
  const ready = await new Promise((resolveReady, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`launch ${index}: no window-ready line within 60 s (see ${log.path})`)), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`launch ${index}: the app exited (${code ?? signal}) before its window was ready (see ${log.path})`));
    });
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        log.write(`stdout: ${line}\n`);
        try {
          const parsed = JSON.parse(line);
          if (parsed.event === 'window-ready') {
            clearTimeout(timer);
            resolveReady(parsed);
          }
        } catch {
          // Not our line.
        }
      }
    });
  });
  child.removeAllListeners('exit');
  const cpuMs = treeCpuMs(child.pid);
  return {
    child,
    figures: {
      launch_ms: ready.ready_epoch_ms - started,
      // CPU time of app + WebKit processes up to (just after) the ready line.
      cpu_ms: cpuMs,
      // Spawn → Rust's main (exec, dynamic linking of GTK/WebKitGTK, Rust runtime start).
      to_main_ms: ready.main_epoch_ms - started,
      // main → Tauri's setup hook (event loop, GTK init, single-instance check on D-Bus).
      setup_started_ms: ready.setup_started_ms,
      // main → our setup done (logging, settings, embedded sandbox).
      setup_done_ms: ready.setup_done_ms,
      // main → the page said ready.
      ready_ms: ready.ready_ms,
      // Page navigation start → ready (load, parse, first IPC answers, first render).
      page_ms: ready.page_ms,
    },
  };
}

async function measureLaunches() {
  const runs = [];
  let idle = null;
  for (let i = 1; i <= launches; i++) {
    const { child, figures } = await launch(i);
    runs.push(figures);
    console.log(
      `  launch ${String(i).padStart(2)}: ${figures.launch_ms.toFixed(0)} ms to interactive, CPU ${figures.cpu_ms} ms` +
        ` (main at ${figures.to_main_ms.toFixed(0)}, setup ${figures.setup_started_ms?.toFixed(0)}→${figures.setup_done_ms?.toFixed(0)},` +
        ` page ready ${figures.page_ms?.toFixed(0)} ms after navigation start)${i === 1 ? ' [first start, fresh profile]' : ''}`,
    );
    if (i === launches) {
      await sleep(5000);
      idle = treeMemory(child.pid);
      console.log(`  idle 5 s after the last launch: ${describeMemory(idle)}`);
    } else {
      await sleep(300);
    }
    await stopGroup(child.pid);
  }
  return { runs, idle };
}

// ---------------------------------------------------------------- 3. the list, over WebDriver

async function startDriver() {
  const log = createWriteStream(join(logDir, 'tauri-driver.log'));
  const driver = spawn(tauriDriver, ['--port', String(port), '--native-port', String(port + 1)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  for (let i = 0; i < 100; i++) {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/status`);
      if (answer.ok) return driver;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  await stopGroup(driver.pid);
  throw new Error(`tauri-driver did not answer on port ${port}; see ${log.path}`);
}

/** Hands `paths` to the window as `open-files`; resolves when all rows are counted and listed. */
function listFiles(browser, paths) {
  return browser.executeAsync(
    (payload, expected, done) => {
      const sign = document.querySelector('#sign');
      const listed = () =>
        document.querySelector('#file-list .file-row') !== null && (document.querySelector('#sign')?.textContent ?? '').includes(String(expected));
      const started = performance.now();
      const observer = new MutationObserver(() => {
        if (!listed()) return;
        const inDom = performance.now() - started;
        observer.disconnect();
        requestAnimationFrame(() => done({ inDom, nextFrame: performance.now() - started, rows: document.querySelectorAll('#file-list .file-row').length }));
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      if (!sign) {
        done({ error: 'no #sign button' });
        return;
      }
      window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'open-files', payload }).catch((e) => done({ error: String(e) }));
    },
    paths,
    FILES,
  );
}

/** The intake command alone (Rust: walk, sniff each file; IPC both ways). */
function intakeOnly(browser, paths) {
  return browser.executeAsync(
    (payload, done) => {
      const started = performance.now();
      window.__TAURI_INTERNALS__.invoke('take_in_paths', { paths: payload }).then(
        (intake) => done({ ms: performance.now() - started, accepted: intake.accepted.length }),
        (e) => done({ error: JSON.stringify(e) }),
      );
    },
    paths,
  );
}

async function clearList(browser) {
  const clear = browser.$('#clear-list');
  if (await clear.isExisting()) await clear.click();
  await browser.waitUntil(async () => (await browser.$$('#file-list .file-row')).length === 0, { timeout: 10_000 });
}

/** Animation frames delivered in one second of an idle window. */
function frameRate(browser) {
  return browser.executeAsync((done) => {
    let frames = 0;
    const started = performance.now();
    const tick = () => {
      frames += 1;
      if (performance.now() - started < 1000) requestAnimationFrame(tick);
      else done(frames / ((performance.now() - started) / 1000));
    };
    requestAnimationFrame(tick);
  });
}

/**
 * Scrolls the list by `stepPx` once per animation frame, `steps` times. The list renders the rows
 * in view in its own animation-frame callback; wrapping requestAnimationFrame times that callback
 * plus the style and layout it causes (forced right after it), i.e. the work of one scroll step.
 */
function scrollSteps(browser, steps, stepPx) {
  return browser.executeAsync(
    (count, px, done) => {
      const list = document.querySelector('#file-list');
      const original = window.requestAnimationFrame.bind(window);
      const work = [];
      window.requestAnimationFrame = (callback) =>
        original((time) => {
          const started = performance.now();
          callback(time);
          void document.body.offsetHeight;
          work.push(performance.now() - started);
        });
      const frames = [];
      let step = 0;
      if (!list) {
        done({ error: 'no #file-list' });
        return;
      }
      const tick = (time) => {
       try {
        frames.push(time);
        if (step++ >= count || list.scrollTop + list.clientHeight >= list.scrollHeight) {
          window.requestAnimationFrame = original;
          // Let the list's callback for the last step run before reading the rows.
          original(() =>
            done({
              work,
              intervals: frames.slice(1).map((t, i) => t - frames[i]),
              rows: document.querySelectorAll('#file-list .file-row').length,
              names: [...document.querySelectorAll('#file-list .file-row__name')].map((e) => e.textContent),
            }),
          );
          return;
        }
        list.scrollTop += px;
        original(tick);
       } catch (e) {
        window.requestAnimationFrame = original;
        done({ error: String(e) });
       }
      };
      list.scrollTop = 0;
      original(tick);
    },
    steps,
    stepPx,
  );
}

async function measureList() {
  const work = await mkdtemp(join(tmpdir(), 'signstash-bench-'));
  const folder = join(work, 'mil');
  await mkdir(folder);
  const one = pdf('Fatura');
  const paths = Array.from({ length: FILES }, (_, i) => join(folder, `FT ${String(i).padStart(4, '0')}.pdf`));
  await Promise.all(paths.map((p) => writeFile(p, one)));

  const driver = await startDriver();
  let browser;
  try {
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      connectionRetryCount: 1,
      capabilities: { 'tauri:options': { application }, 'wdio:enforceWebDriverClassic': true },
    });
    await browser.$('#sign').waitForExist({ timeout: 30_000 });
    const appPid = tree(driver.pid).find((p) => p.comm === 'signstash-desk')?.pid;
    if (!appPid) throw new Error('the app process was not found under tauri-driver');
    await sleep(5000);
    const idle = treeMemory(appPid);
    console.log(`  idle 5 s after start (WebDriver session): ${describeMemory(idle)}`);
    const fps = await frameRate(browser);
    console.log(`  animation frames of the idle window under Xvfb: ${fps.toFixed(1)} per second`);

    const results = { folder: [], paths: [], intakeFolder: [], intakePaths: [] };
    for (let run = 0; run < listRuns; run++) {
      for (const [key, payload] of [['folder', [folder]], ['paths', paths]]) {
        await clearList(browser);
        const r = await listFiles(browser, payload);
        if (r.error) throw new Error(`listing (${key}): ${r.error}`);
        if (r.rows > 60) throw new Error(`${r.rows} rows in the page: the list is not virtualised`);
        results[key].push(r);
      }
    }
    for (let run = 0; run < listRuns; run++) {
      for (const [key, payload] of [['intakeFolder', [folder]], ['intakePaths', paths]]) {
        const r = await intakeOnly(browser, payload);
        if (r.error || r.accepted !== FILES) throw new Error(`intake (${key}): ${r.error ?? `${r.accepted} accepted`}`);
        results[key].push(r.ms);
      }
    }
    // The list now holds the 1,000 files (last run: separate paths).
    await browser.setTimeout({ script: 120_000 });
    const wheel = await scrollSteps(browser, 200, 3 * 44);
    const jumps = await scrollSteps(browser, 100, 600);
    for (const s of [wheel, jumps]) if (s.error) throw new Error(`scrolling: ${s.error}`);
    if (!wheel.names.includes('FT 0999.pdf') && !jumps.names.includes('FT 0999.pdf')) throw new Error('the last file was never rendered while scrolling');
    await sleep(5000);
    const listed = treeMemory(appPid);
    console.log(`  idle 5 s after listing ${FILES} files and scrolling: ${describeMemory(listed)}`);
    return { idle, listed, fps, results, wheel, jumps };
  } finally {
    await browser?.deleteSession().catch(() => {});
    await stopGroup(driver.pid);
    await rm(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- 4. sizes, machine

function sizes() {
  const binary = statSync(application).size;
  const debDir = join(root, 'target/dist/bundle/deb');
  const debs = existsSync(debDir) ? readdirSync(debDir).filter((f) => f.endsWith('.deb')) : [];
  const deb = debs.length ? debs.map((f) => ({ name: f, size: statSync(join(debDir, f)).size, mtime: statSync(join(debDir, f)).mtimeMs })).sort((a, b) => b.mtime - a.mtime)[0] : null;
  const file = spawnSync('file', ['-b', application], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return { binary, stripped: !/not stripped/.test(file), deb };
}

function machine() {
  const webkit = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).stdout || 'unknown';
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: round(totalmem() / 2 ** 30, 1), kernel: release(), webkitgtk: webkit };
}

// ---------------------------------------------------------------- main

const MiB = 2 ** 20;
await mkdir(logDir, { recursive: true });
const host = machine();
console.log(`Sign'Stash Desk app bench: ${application}`);
console.log(`machine: ${host.cpu}, ${host.cores} cores, ${host.memory_gib} GiB, Linux ${host.kernel}, WebKitGTK ${host.webkitgtk}; Xvfb (software rendering)`);

console.log(`\n1. Launch → interactive window (${launches} launches; target ≤ 1000 ms)`);
const launched = process.env.BENCH_SKIP_LAUNCHES ? { runs: [], idle: null } : await measureLaunches();
const warm = launched.runs.slice(1);
const skipped = { median: NaN, max: NaN };
const warmLaunch = warm.length ? stats(warm.map((r) => r.launch_ms)) : skipped;
const allLaunch = warm.length ? stats(launched.runs.map((r) => r.launch_ms)) : skipped;
const part = (key) => (warm.length ? stats(warm.map((r) => r[key])).median : NaN);
if (warm.length) {
  console.log(
    `  warm launches (2..${launches}): median ${warmLaunch.median.toFixed(0)} ms, max ${warmLaunch.max.toFixed(0)} ms;` +
      ` all ${launches}: median ${allLaunch.median.toFixed(0)} ms, max ${allLaunch.max.toFixed(0)} ms`,
  );
  const cpu = stats(warm.map((r) => r.cpu_ms));
  console.log(`  CPU time to interactive (app + WebKit processes), warm: median ${cpu.median.toFixed(0)} ms, max ${cpu.max.toFixed(0)} ms`);
  console.log(
    `  median split (warm): spawn→main ${part('to_main_ms').toFixed(0)} ms, main→setup ${part('setup_started_ms').toFixed(0)} ms,` +
      ` setup→done ${(part('setup_done_ms') - part('setup_started_ms')).toFixed(0)} ms, page ready ${part('page_ms').toFixed(0)} ms after its navigation start`,
  );
}

console.log(`\n2./3. ${FILES} files in the list, scrolling, memory (WebDriver session; ${listRuns} runs each)`);
const list = await measureList();
const r = list.results;
const folderDom = stats(r.folder.map((x) => x.inDom));
const folderFrame = stats(r.folder.map((x) => x.nextFrame));
const pathsDom = stats(r.paths.map((x) => x.inDom));
const pathsFrame = stats(r.paths.map((x) => x.nextFrame));
const intakeFolder = stats(r.intakeFolder);
const intakePaths = stats(r.intakePaths);
console.log(`  a folder of ${FILES}: rows in the DOM after median ${folderDom.median.toFixed(0)} ms (max ${folderDom.max.toFixed(0)}), next frame ${folderFrame.median.toFixed(0)} ms (max ${folderFrame.max.toFixed(0)})`);
console.log(`  ${FILES} separate paths: rows in the DOM after median ${pathsDom.median.toFixed(0)} ms (max ${pathsDom.max.toFixed(0)}), next frame ${pathsFrame.median.toFixed(0)} ms (max ${pathsFrame.max.toFixed(0)})`);
console.log(`  of which the intake command alone: folder median ${intakeFolder.median.toFixed(0)} ms, paths median ${intakePaths.median.toFixed(0)} ms`);
const wheelWork = stats(list.wheel.work);
const jumpWork = stats(list.jumps.work);
const wheelFrames = stats(list.wheel.intervals);
console.log(
  `  scrolling, work per step (list render + style + layout): 3 rows/step median ${wheelWork.median.toFixed(2)} ms, p95 ${wheelWork.p95.toFixed(2)}, max ${wheelWork.max.toFixed(2)} (${wheelWork.n} renders);` +
    ` 600 px/step median ${jumpWork.median.toFixed(2)} ms, max ${jumpWork.max.toFixed(2)}; rows in the page ≤ ${Math.max(list.wheel.rows, list.jumps.rows)}`,
);
console.log(`  frame interval while scrolling (Xvfb): median ${wheelFrames.median.toFixed(1)} ms, p95 ${wheelFrames.p95.toFixed(1)}, max ${wheelFrames.max.toFixed(1)}`);

const size = sizes();
console.log(`\n4. Sizes`);
console.log(`  binary ${application}: ${size.binary} bytes (${(size.binary / MiB).toFixed(1)} MiB, ${(size.binary / 1e6).toFixed(1)} MB), ${size.stripped ? 'stripped' : 'not stripped'}`);
console.log(size.deb ? `  .deb ${size.deb.name}: ${size.deb.size} bytes (${(size.deb.size / MiB).toFixed(1)} MiB)` : '  .deb: none in target/dist/bundle/deb (run make package)');

const summary = {
  machine: host,
  launches,
  launch_first_ms: round(launched.runs[0]?.launch_ms),
  launch_warm_median_ms: round(warmLaunch.median),
  launch_warm_max_ms: round(warmLaunch.max),
  launch_all_median_ms: round(allLaunch.median),
  launch_all_max_ms: round(allLaunch.max),
  launch_cpu_warm_median_ms: round(part('cpu_ms')),
  launch_cpu_first_ms: launched.runs[0]?.cpu_ms ?? null,
  launch_split_warm_median_ms: {
    spawn_to_main: round(part('to_main_ms')),
    main_to_setup: round(part('setup_started_ms')),
    setup: round(part('setup_done_ms') - part('setup_started_ms')),
    page_ready_after_navigation: round(part('page_ms')),
  },
  idle_memory_after_start: launched.idle && roundMemory(launched.idle),
  idle_memory_after_start_webdriver: roundMemory(list.idle),
  memory_after_1000_files: roundMemory(list.listed),
  list_files: FILES,
  list_runs: listRuns,
  list_folder_dom_median_ms: round(folderDom.median),
  list_folder_dom_max_ms: round(folderDom.max),
  list_folder_frame_median_ms: round(folderFrame.median),
  list_paths_dom_median_ms: round(pathsDom.median),
  list_paths_dom_max_ms: round(pathsDom.max),
  list_paths_frame_median_ms: round(pathsFrame.median),
  intake_folder_median_ms: round(intakeFolder.median),
  intake_paths_median_ms: round(intakePaths.median),
  scroll_step_work_median_ms: round(wheelWork.median, 2),
  scroll_step_work_p95_ms: round(wheelWork.p95, 2),
  scroll_step_work_max_ms: round(wheelWork.max, 2),
  scroll_jump_work_median_ms: round(jumpWork.median, 2),
  scroll_jump_work_max_ms: round(jumpWork.max, 2),
  scroll_frame_interval_median_ms: round(wheelFrames.median, 1),
  scroll_frame_interval_max_ms: round(wheelFrames.max, 1),
  idle_frames_per_s: round(list.fps, 1),
  binary_bytes: size.binary,
  binary_stripped: size.stripped,
  deb_bytes: size.deb?.size ?? null,
};
console.log(JSON.stringify(summary));
