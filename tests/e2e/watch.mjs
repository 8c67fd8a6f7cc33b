// End-to-end checks of the watch folder in the app (issue 7, item 1): folders set through the
// command the panel uses, the switch turned on in the UI, a PDF copied into the input folder comes
// out signed (pdfsig) with its original in the backup folder and the status saying so; a file that
// is no invoice leaves `<name>.error.txt`; after a restart of the app the watch is on again.
//
// Runs last in run.mjs: the restart ends the session it was given.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { appPids } from './resume.mjs';

function list(folder) {
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

function pdfsigValid(path) {
  const r = spawnSync('pdfsig', ['-nocert', '-no-ocsp', path], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (!out.includes('Signature is Valid') || !out.includes('Total document signed')) throw new Error(`pdfsig on ${path}:\n${out}`);
}

async function waitFor(condition, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeout} ms`);
}

/**
 * @param ctx { browser, check, invoke, waitText, expectEqual, screenshot, work, pdf, sessionOptions }
 */
export async function watchChecks(ctx) {
  const { check, invoke, expectEqual, work, pdf, shots, sessionOptions } = ctx;
  let browser = ctx.browser;
  const input = join(work, 'vigiada', 'entrada');
  const output = join(work, 'vigiada', 'assinados');
  const backup = join(work, 'vigiada', 'originais');
  // The panel's folder dialogs only return folders that exist; the test makes them as a user would.
  for (const folder of [input, output, backup]) await mkdir(folder, { recursive: true });
  const source = join(work, 'FT W-0001.pdf');
  await writeFile(source, pdf('Fatura vigiada 1'));

  await check('watch folder: set the folders, turn it on in the panel, status says it is watching', async () => {
    await browser.$('#nav-watch').click();
    await browser.$('#watch-toggle').waitForExist({ timeout: 10_000 });
    expectEqual(await browser.execute(() => document.querySelector('#watch-toggle').checked), false, 'off at first');
    // The page is not trusted with paths: one that is not a folder is refused in plain words.
    const bad = await invoke(browser, 'set_watch_folders', { input: 'relativa', output, backup });
    expectEqual(bad.err?.code, 'path.not_absolute', 'a relative input folder refused');
    const gone = await invoke(browser, 'set_watch_folders', { input, output: join(work, 'nao-existe'), backup });
    expectEqual(gone.err?.code, 'path.missing', 'a folder that does not exist refused');
    const set = await invoke(browser, 'set_watch_folders', { input, output, backup });
    if (set.err) throw new Error(`set_watch_folders: ${JSON.stringify(set.err)}`);
    await waitText(browser, '#watch-input-path', (t) => t === input, 'input folder shown');
    await waitText(browser, '#watch-backup-path', (t) => t === backup, 'backup folder shown');
    await browser.execute(() => document.querySelector('#watch-toggle').click());
    await waitText(browser, '#watch-status', (t) => t.startsWith('À espera de ficheiros novos'), 'status watching');
    expectEqual(await text(browser, '#watch-state'), 'Ligada', 'switch label');
  });

  await check('watch folder: a PDF copied into input is signed (pdfsig), original in backup, status shows it', async () => {
    await copyFile(source, join(input, 'FT W-0001.pdf'));
    await waitText(browser, '#watch-last-activity', (t) => t.includes('FT W-0001.pdf assinado'), 'last activity', 60_000);
    await waitText(browser, '#watch-status', (t) => t.includes('1 assinados'), 'signed count');
    expectEqual(list(output), ['FT W-0001_signed.pdf'], 'output folder');
    pdfsigValid(join(output, 'FT W-0001_signed.pdf'));
    expectEqual(list(backup), ['FT W-0001.pdf'], 'backup folder');
    expectEqual(readFileSync(join(backup, 'FT W-0001.pdf')).equals(readFileSync(source)), true, 'original unchanged in backup');
    expectEqual(list(input), [], 'input emptied');
  });

  await check('watch folder: a file that is no invoice leaves <name>.error.txt in plain words', async () => {
    await writeFile(join(input, 'scan.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await waitText(browser, '#watch-last-activity', (t) => t.includes('scan.png não assinado'), 'failure shown', 60_000);
    await waitFor(() => existsSync(join(output, 'scan.png.error.txt')), 'error file');
    const reason = readFileSync(join(output, 'scan.png.error.txt'), 'utf8');
    if (reason.trim().length < 10) throw new Error(`error file too short: ${JSON.stringify(reason)}`);
    await waitText(browser, '#watch-status', (t) => t.includes('1 falhados'), 'failed count');
    // Not the shared helper: its animation-frame wait can hang while status events repaint.
    await browser.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    // The pointer off the navigation, so no button shows its hover shade in the picture.
    await browser.action('pointer', { parameters: { pointerType: 'mouse' } }).move({ origin: 'viewport', x: 2, y: 2 }).perform();
    await new Promise((r) => setTimeout(r, 500));
    await browser.saveScreenshot(join(shots, 'watch.png'));
  });

  await check('watch folder: after the app restarts the watch is on again and signs', async () => {
    const settings = JSON.parse(readFileSync(join(process.env.XDG_CONFIG_HOME, 'pt.multicert.signstash.desk', 'settings.json'), 'utf8'));
    const w = settings.watch ?? {};
    expectEqual([w.input, w.output, w.backup, w.enabled], [input, output, backup, true], 'watch remembered in settings.json');
    const closing = Date.now();
    await browser.deleteSession();
    // Closing the window must end the app, watch and all; a new launch while the old process is
    // still there would be handed to it as a second instance and never open a window.
    await waitFor(() => appPids(sessionOptions.capabilities['tauri:options'].application).length === 0, 'the app to exit after its window closed', 15_000);
    console.log(`       figures: the app (watch running) exited ${Date.now() - closing} ms after its session was closed`);
    browser = await remote(sessionOptions);
    ctx.replaceBrowser(browser);
    await browser.$('#nav-watch').waitForExist({ timeout: 15_000 });
    await browser.$('#nav-watch').click();
    await waitText(browser, '#watch-status', (t) => t.startsWith('À espera de ficheiros novos'), 'watching after restart');
    expectEqual(await browser.execute(() => document.querySelector('#watch-toggle').checked), true, 'switch on after restart');
    await copyFile(source, join(input, 'FT W-0002.pdf'));
    await waitText(browser, '#watch-last-activity', (t) => t.includes('FT W-0002.pdf assinado'), 'signed after restart', 60_000);
    pdfsigValid(join(output, 'FT W-0002_signed.pdf'));
    // Never twice: the first file was not signed again.
    expectEqual(list(output).filter((n) => n.startsWith('FT W-0001')), ['FT W-0001_signed.pdf'], 'no second signing');
    await browser.execute(() => document.querySelector('#watch-toggle').click());
    await waitText(browser, '#watch-status', (t) => t === 'Desligada', 'turned off');
  });
}

/** Reads the text in one script call: the panel re-renders on every status event. */
async function text(browser, selector) {
  return browser.execute((sel) => (document.querySelector(sel)?.textContent ?? '').trim(), selector);
}

async function waitText(browser, selector, predicate, what, timeout = 15_000) {
  let last = '';
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    last = await text(browser, selector);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: last text ${JSON.stringify(last)}`);
}
