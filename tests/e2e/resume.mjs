// Crash safety of the app (issue 5): the app signs many invoices against a separate sandbox,
// is killed with SIGKILL mid-batch, is started again, shows the batch as interrupted, and its
// Resume button finishes it: every output exists, no temporary file is left, and the sandbox's
// own counters say each document was signed exactly once.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { pdf } from './documents.mjs';

const DOCUMENTS = 150;

async function session(application, port) {
  return remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'warn',
    connectionRetryCount: 1,
    capabilities: { 'tauri:options': { application }, 'wdio:enforceWebDriverClassic': true },
  });
}

async function invoke(browser, command, args = {}) {
  const r = await browser.executeAsync(
    (cmd, a, done) => window.__TAURI_INTERNALS__.invoke(cmd, a).then((v) => done({ ok: v }), (e) => done({ err: e })),
    command,
    args,
  );
  if (r.err) throw new Error(`${command}: ${JSON.stringify(r.err)}`);
  return r.ok;
}

async function stats(origin) {
  return (await fetch(`${origin}/sandbox/stats`)).json();
}

/** The app process of this run: our binary, with our scratch XDG_DATA_HOME (never another run's). */
export function appPids(application) {
  const exe = realpathSync(application);
  const mine = `XDG_DATA_HOME=${process.env.XDG_DATA_HOME}`;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`) !== exe) continue;
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(mine)) continue;
      pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function waitFor(what, predicate, timeout) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** ctx: { check, application, port, startSandbox, clientId, secret, screenshot } */
export async function resumeChecks(ctx) {
  const { check, application, port } = ctx;
  const work = await mkdtemp(join(tmpdir(), 'signstash-e2e-resume-'));
  const folder = join(work, 'lote');
  await mkdir(folder);
  const names = Array.from({ length: DOCUMENTS }, (_, i) => `FT R${String(i).padStart(4, '0')}.pdf`);
  await Promise.all(names.map((n, i) => writeFile(join(folder, n), pdf(`Fatura R${i}`))));
  const sandbox = await ctx.startSandbox();
  const origin = new URL(sandbox.token).origin;
  let browser;
  let killedAt;
  // The embedded sandbox's address before the kill: a restart must listen there again.
  let sandboxApiBefore;
  const sandboxApi = async () => (await invoke(browser, 'app_info')).environments.find((e) => e.id === 'sandbox')?.apiBase;
  try {
    await check('crash: kill -9 of the app mid-batch (150 PDFs, Staging on a separate sandbox)', async () => {
      // Slow answers, so the kill lands mid-batch.
      await fetch(`${origin}/sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latency_ms: 1500 }),
      });
      browser = await session(application, port);
      await browser.$('#environment-band').waitForExist({ timeout: 10_000 });
      const view = await invoke(browser, 'get_settings');
      const settings = view.settings;
      const staging = settings.environments.find((e) => e.id === 'staging');
      staging.tokenUrl = sandbox.token;
      staging.apiBase = sandbox.api;
      settings.parallelRequests = 2;
      await invoke(browser, 'save_settings', { settings });
      await invoke(browser, 'save_secret', { environmentId: 'staging', clientId: ctx.clientId, secret: ctx.secret });
      await browser.execute(() => {
        const s = document.querySelector('#environment-switch');
        s.value = 'staging';
        s.dispatchEvent(new Event('change'));
      });
      await browser.$('#environment-band[data-environment="staging"]').waitForExist({ timeout: 10_000 });
      await invoke(browser, 'plugin:event|emit', { event: 'open-files', payload: [folder] });
      await browser.waitUntil(async () => (await browser.$('#sign').getText()).trim() === `Assinar ${DOCUMENTS} faturas em Testes (staging)`, {
        timeout: 30_000,
        timeoutMsg: 'the batch was never listed',
      });
      await browser.$('#sign').click();
      // Kill once some outputs are saved and more are at the service: saved, in flight and never
      // sent documents all exist at the moment of the kill.
      const saved = () => (existsSync(join(folder, 'Signed')) ? readdirSync(join(folder, 'Signed')).filter((n) => n.endsWith('_signed.pdf')).length : 0);
      await waitFor('some outputs saved', () => saved() >= 5, 90_000);
      sandboxApiBefore = await sandboxApi();
      const pids = appPids(application);
      if (pids.length !== 1) throw new Error(`expected one app process, found ${JSON.stringify(pids)}`);
      process.kill(pids[0], 'SIGKILL');
      killedAt = await stats(origin);
      if (killedAt.documents_signed >= DOCUMENTS) throw new Error('the batch finished before the kill: raise the latency');
      await waitFor('the app to be gone', () => appPids(application).length === 0, 10_000);
      // The app is gone; the session may not answer any more.
      await Promise.race([browser.deleteSession().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
      browser = undefined;
      const leftovers = existsSync(join(folder, 'Signed')) ? readdirSync(join(folder, 'Signed')) : [];
      console.log(`       figures: killed with ${killedAt.documents_signed} of ${DOCUMENTS} signed at the sandbox, ${leftovers.filter((n) => n.endsWith('_signed.pdf')).length} saved`);
    });

    await check('crash: restarted (embedded sandbox on the same address), the batch shows as interrupted; Resume finishes it; each signed exactly once', async () => {
      if (!killedAt) throw new Error('no kill happened (see above)');
      await fetch(`${origin}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reset: true }) });
      browser = await session(application, port);
      const notice = browser.$('#interrupted-text');
      await notice.waitForExist({ timeout: 15_000 });
      const text = (await notice.getText()).trim();
      if (!/^Um lote foi interrompido .*: \d+ de 150 faturas por terminar\./.test(text)) throw new Error(`notice: ${text}`);
      await ctx.screenshot(browser, 'resume-interrupted.png');
      // So that a batch interrupted on the Sandbox (training) can be resumed too.
      const sandboxApiAfter = await sandboxApi();
      if (!sandboxApiBefore || sandboxApiAfter !== sandboxApiBefore) {
        throw new Error(`embedded sandbox moved from ${sandboxApiBefore} to ${sandboxApiAfter} across the restart`);
      }
      await browser.$('#resume').click();
      await browser.waitUntil(async () => {
        const s = browser.$('#summary');
        return (await s.isExisting()) && (await s.getText()).startsWith('Terminado');
      }, { timeout: 120_000, timeoutMsg: 'resume never finished' });
      const summary = (await browser.$('#summary').getText()).trim();
      if (summary !== `Terminado: ${DOCUMENTS} assinadas.`) throw new Error(`summary: ${summary}`);
      if (await browser.$('#interrupted').isExisting()) throw new Error('still shown as interrupted');
      const signed = readdirSync(join(folder, 'Signed')).sort();
      const expected = names.map((n) => n.replace('.pdf', '_signed.pdf')).sort();
      if (JSON.stringify(signed) !== JSON.stringify(expected)) {
        throw new Error(`Signed folder: ${signed.length} files, temporary or missing: ${JSON.stringify(signed.filter((n) => !expected.includes(n)).concat(expected.filter((n) => !signed.includes(n))))}`);
      }
      const after = await stats(origin);
      if (after.documents_signed !== DOCUMENTS || after.duplicate_contents_signed !== 0) {
        throw new Error(`sandbox: ${after.documents_signed} signatures for ${DOCUMENTS} documents, ${after.duplicate_contents_signed} duplicates`);
      }
      const originals = readdirSync(folder).filter((n) => n !== 'Signed').sort();
      if (JSON.stringify(originals) !== JSON.stringify([...names].sort())) throw new Error('originals changed');
      for (const [i, n] of names.entries()) {
        if (!readFileSync(join(folder, n)).equals(pdf(`Fatura R${i}`))) throw new Error(`${n} was modified`);
      }
      await ctx.screenshot(browser, 'resume-finished.png');
    });

    await check('hardening: the page cannot call a plugin (no fs/shell/opener scope) nor sign a file that is not an invoice', async () => {
      for (const [command, args] of [
        ['plugin:opener|open_url', { url: 'https://example.com' }],
        ['plugin:opener|open_path', { path: '/etc' }],
        ['plugin:dialog|open', {}],
        ['plugin:fs|read_file', { path: '/etc/passwd' }],
        ['plugin:shell|execute', { program: 'sh', args: ['-c', 'true'] }],
      ]) {
        const refused = await invoke(browser, command, args).then(() => false, () => true);
        if (!refused) throw new Error(`${command} was allowed from the page`);
      }
      const before = (await stats(origin)).token_requests;
      for (const [path, code] of [
        ['/etc/passwd', 'path.not_a_document'],
        ['relative.pdf', 'path.not_absolute'],
        [folder, 'path.not_a_file'],
        [join(folder, 'missing.pdf'), 'path.missing'],
      ]) {
        const error = await invoke(browser, 'start_signing', { paths: [path] }).then(() => null, (e) => e.message);
        if (!error?.includes(`"code":"${code}"`)) throw new Error(`start_signing ${path}: ${error ?? 'accepted'}`);
      }
      if ((await stats(origin)).token_requests !== before) throw new Error('a token was asked for a refused path');
      const opened = await invoke(browser, 'open_folder', { path: '/etc/passwd' }).then(() => null, (e) => e.message);
      if (!opened?.includes('"code":"path.not_a_folder"')) throw new Error(`open_folder: ${opened ?? 'accepted'}`);
    });
  } finally {
    await browser?.deleteSession().catch(() => {});
    sandbox.child.kill();
    await rm(work, { recursive: true, force: true });
  }
}
