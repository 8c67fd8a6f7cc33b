// Office network (issue 8), end to end in the real window: a real forward proxy on loopback
// (tinyproxy, with Basic authentication and its own log) set as the app's manual proxy, with its
// password typed into the Network tab (kept in the OS keyring); signing on Staging (the separate
// sandbox process of run.mjs) must go through it, token and API request both in the proxy's log;
// Diagnose shows timed steps; Export diagnostics writes a zip (the debug build takes its path
// from SIGNSTASH_E2E_SAVE_PATH, set by scripts/e2e.sh) with the doctor's results and the settings
// but no secret, password or token; then Staging served over TLS under its own CA is refused with
// a plain reason and accepted once that CA is chosen (SIGNSTASH_E2E_OPEN_PATH). Everything is set
// back at the end (proxy: the system's; Staging on plain HTTP; Sandbox active).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { pdf } from './documents.mjs';
import { scan, TOKEN_PREFIX } from './secrets.mjs';

export const PROXY_USER = 'e2e-proxy-user';
export const PROXY_PASSWORD = 'e2e-Proxy-Pa55-4d1e';
const CA_NAME = 'Empresa Teste Root CA';
const APP_DIR = 'pt.multicert.signstash.desk';

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

/** tinyproxy on a free loopback port, asking for Basic authentication; its port and log file. */
async function startTinyproxy(dir) {
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const conf = join(dir, 'tinyproxy.conf');
  await writeFile(
    conf,
    [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${log}"`, 'LogLevel Connect', 'Allow 127.0.0.1', `BasicAuth ${PROXY_USER} ${PROXY_PASSWORD}`, ''].join('\n'),
  );
  const child = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
  const until = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise((r) => {
      const s = createConnection(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (up) break;
    if (Date.now() > until) throw new Error('tinyproxy did not start (apt-get install tinyproxy)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, log };
}

/** The requests tinyproxy logged (absolute URLs for plain HTTP, host:port for CONNECT). */
function proxiedRequests(log) {
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  return text
    .split('\n')
    .map((l) => /Request \(file descriptor \d+\): (\S+ \S+)/.exec(l)?.[1])
    .filter(Boolean);
}

/** A test CA and a certificate for 127.0.0.1 it issued, made with the openssl command. */
function makePki(dir) {
  const run = (args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/O=Empresa Teste/CN=${CA_NAME}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', ext]);
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
}

/** TLS in front of the plain-HTTP sandbox, under the test CA: the on-premise proxy with an internal CA. */
async function startTlsFront(pki, target) {
  const server = createTlsServer({ key: pki.key, cert: pki.cert }, (socket) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.on('tlsClientError', () => {}); // the refused handshakes are the point of the test
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `https://127.0.0.1:${server.address().port}` };
}

/** Settings, then a tab: clicked again until selected (the view re-renders once its data arrives,
 * which can make the first click land on a replaced element). */
async function openSettingsTab(browser, tab, ready) {
  await browser.$('#nav-settings').click();
  await browser.waitUntil(
    async () => {
      const el = browser.$(`#tab-${tab}`);
      if (!(await el.isExisting())) return false;
      if ((await el.getAttribute('aria-selected')) === 'true') return true;
      await el.click().catch(() => {});
      return false;
    },
    { timeout: 10_000, interval: 250, timeoutMsg: `settings tab ${tab} never selected` },
  );
  await browser.$(ready).waitForExist({ timeout: 10_000 });
}

/** Clicks a button after scrolling it to the middle of the settings' scroll area (at the bottom
 * edge it counts as not interactable). */
async function press(browser, selector) {
  await browser.execute((s) => document.querySelector(s)?.scrollIntoView({ block: 'center' }), selector);
  await browser.$(selector).click();
}

const openNetworkTab = (browser) => openSettingsTab(browser, 'network', '#proxy-mode-manual');
const openStagingTab = (browser) => openSettingsTab(browser, 'staging', '#token-url');

async function switchEnvironment(browser, id) {
  await browser.execute((value) => {
    const s = document.querySelector('#environment-switch');
    s.value = value;
    s.dispatchEvent(new Event('change'));
  }, id);
  await browser.$(`#environment-band[data-environment="${id}"]`).waitForExist({ timeout: 10_000 });
}

async function setStagingAddresses(browser, ctx, token, api) {
  await openStagingTab(browser);
  await browser.$('#token-url').setValue(token);
  await browser.$('#api-base').setValue(api);
  await press(browser, '#save-credentials');
  await ctx.waitText(browser, '#settings-status', (t) => t === 'Definições guardadas.', 'Staging addresses saved');
  const file = join(process.env.XDG_CONFIG_HOME, APP_DIR, 'settings.json');
  const staging = JSON.parse(readFileSync(file, 'utf8')).environments.find((e) => e.id === 'staging');
  ctx.expectEqual(staging.tokenUrl, token, 'Staging token URL in the settings file');
}

function unzipList(zip) {
  const r = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip -Z1 ${zip}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

function unzipEntry(zip, name) {
  const r = spawnSync('unzip', ['-p', zip, name], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`unzip -p ${zip} ${name}: ${r.stderr}`);
  return r.stdout;
}

/**
 * ctx: { check, invoke, waitText, text, screenshot, expectEqual, sandbox: { token, api },
 *        clientId, secrets: [the right client secret, others that must not leak] }
 */
export async function networkChecks(browser, work, ctx) {
  const { check, waitText, expectEqual } = ctx;
  const [secret] = ctx.secrets;
  const dir = join(work, 'network');
  await mkdir(dir, { recursive: true });
  const settingsFile = join(process.env.XDG_CONFIG_HOME, APP_DIR, 'settings.json');
  const logs = join(process.env.XDG_DATA_HOME, APP_DIR, 'logs');
  const target = new URL(ctx.sandbox.token);
  const proxy = await startTinyproxy(dir);
  let tls;

  try {
    await check('network: a manual proxy with user and password; the password goes to the keyring, not to the page or the settings file', async () => {
      await openNetworkTab(browser);
      await browser.$('#proxy-mode-manual').click();
      await browser.$('#proxy-address').setValue(`127.0.0.1:${proxy.port}`);
      await browser.$('#proxy-user').setValue(PROXY_USER);
      await browser.$('#proxy-password').setValue(PROXY_PASSWORD);
      await press(browser, '#save-proxy');
      await waitText(browser, '#proxy-login-state', (t) => t.includes(PROXY_USER), 'proxy login saved');
      expectEqual(await browser.$('#proxy-password').getValue(), '', 'password field emptied');
      expectEqual(await browser.$('#proxy-mode-manual').isSelected(), true, 'manual proxy selected');
      const view = await ctx.invoke(browser, 'get_network');
      if (JSON.stringify(view).includes(PROXY_PASSWORD)) throw new Error('get_network returned the proxy password');
      expectEqual(view.ok.proxyUser, PROXY_USER, 'proxy user');
      const saved = readFileSync(settingsFile, 'utf8');
      if (saved.includes(PROXY_PASSWORD)) throw new Error('settings.json holds the proxy password');
      expectEqual(JSON.parse(saved).network, { proxy: 'manual', proxyAddress: `127.0.0.1:${proxy.port}` }, 'network settings saved');
    });

    await check('network: signing on Staging goes through the authenticating proxy (token and API requests in its log)', async () => {
      // The wrong-secret check left a wrong secret for Staging: put the right one back.
      const restored = await ctx.invoke(browser, 'save_secret', { environmentId: 'staging', clientId: ctx.clientId, secret });
      if (restored.err) throw new Error(`save_secret: ${JSON.stringify(restored.err)}`);
      const folder = join(dir, 'proxy');
      await mkdir(folder);
      await writeFile(join(folder, 'FT 2026-0100.pdf'), pdf('Fatura 100'));
      await browser.$('#nav-sign').click();
      await browser.$('#drop-zone').waitForExist({ timeout: 10_000 });
      await switchEnvironment(browser, 'staging');
      if (await browser.$('#clear-list').isExisting()) await browser.$('#clear-list').click();
      const before = proxiedRequests(proxy.log).length;
      await ctx.invoke(browser, 'plugin:event|emit', { event: 'open-files', payload: [join(folder, 'FT 2026-0100.pdf')] });
      await waitText(browser, '#sign', (t) => t === 'Assinar 1 fatura em Testes (staging)', 'sign button');
      await browser.$('#sign').click();
      await waitText(browser, '#summary', (t) => t.startsWith('Terminado'), 'summary', 60_000);
      expectEqual(await ctx.text(browser, '#summary'), 'Terminado: 1 assinada.', 'summary');
      expectEqual(readdirSync(join(folder, 'Signed')), ['FT 2026-0100_signed.pdf'], 'signed output');
      const carried = proxiedRequests(proxy.log).slice(before).filter((r) => r.includes(`//${target.host}/`));
      if (!carried.some((r) => /^POST \S+\/oauth\/token/.test(r))) throw new Error(`no token request through the proxy: ${JSON.stringify(carried)}`);
      if (!carried.some((r) => /^POST \S+\/document\/sign\//.test(r))) throw new Error(`no sign request through the proxy: ${JSON.stringify(carried)}`);
      console.log(`       figures: ${carried.length} requests to the Staging sandbox went through tinyproxy (with Basic authentication)`);
    });

    await check('network: Diagnose shows each environment step by step, each step timed', async () => {
      await openNetworkTab(browser);
      await press(browser, '#diagnose');
      await waitText(browser, '#settings-status', (t) => t === 'Todos os ambientes responderam.', 'diagnosis result', 60_000);
      const shown = await browser.execute(() =>
        [...document.querySelectorAll('#diagnosis ol.steps')].map((ol) => ({
          environment: ol.getAttribute('data-environment'),
          steps: [...ol.querySelectorAll('li')].map((li) => ({
            outcome: li.getAttribute('data-outcome'),
            title: li.querySelector('.step__title')?.textContent ?? '',
            time: li.querySelector('.step__time')?.textContent ?? '',
          })),
        })),
      );
      expectEqual(shown.map((e) => e.environment).sort(), ['sandbox', 'staging'], 'environments diagnosed');
      for (const env of shown) {
        if (env.steps.length < 3) throw new Error(`${env.environment}: ${JSON.stringify(env.steps)}`);
        for (const s of env.steps) {
          if (s.outcome !== 'passed' || !/^\d+ ms$/.test(s.time) || !s.title) throw new Error(`${env.environment}: ${JSON.stringify(s)}`);
        }
      }
      const staging = shown.find((e) => e.environment === 'staging').steps;
      console.log(`       figures: Staging through the proxy: ${staging.map((s) => `${s.title} ${s.time}`).join(', ')}`);
      await browser.execute(() => {
        document.querySelector('#settings').scrollTop = 0;
      });
      await ctx.screenshot(browser, 'settings-network.png');
    });

    await check('network: Export diagnostics writes a zip with versions, settings and the doctor\'s results, and no secret, password or token', async () => {
      const zip = process.env.SIGNSTASH_E2E_SAVE_PATH;
      if (!zip) throw new Error('SIGNSTASH_E2E_SAVE_PATH not set (scripts/e2e.sh sets it)');
      await press(browser, '#export-diagnostics');
      await waitText(browser, '#settings-status', (t) => t.startsWith('Diagnóstico guardado em'), 'export result', 60_000);
      const entries = unzipList(zip);
      for (const name of ['versions.json', 'settings.json', 'doctor.json', 'doctor.txt']) {
        if (!entries.includes(name)) throw new Error(`no ${name} in ${JSON.stringify(entries)}`);
      }
      if (!entries.some((e) => e.startsWith('logs/'))) throw new Error(`no log file in ${JSON.stringify(entries)}`);
      const settings = JSON.parse(unzipEntry(zip, 'settings.json').toString('utf8'));
      expectEqual(settings.network?.proxy, 'manual', 'settings in the bundle');
      expectEqual(settings.environments.find((e) => e.id === 'staging').clientId, ctx.clientId, 'Staging client id in the bundle');
      const doctor = unzipEntry(zip, 'doctor.json').toString('utf8');
      if (!doctor.includes(target.host)) throw new Error('doctor.json does not name the Staging sandbox');
      const all = Buffer.concat(entries.map((e) => unzipEntry(zip, e)));
      for (const needle of [...ctx.secrets, PROXY_PASSWORD, TOKEN_PREFIX]) {
        if (all.includes(Buffer.from(needle))) throw new Error(`the bundle holds ${needle === TOKEN_PREFIX ? 'a token' : 'a secret'}`);
      }
      console.log(`       figures: bundle entries: ${entries.join(', ')}`);
    });

    await check('network: the proxy password is in neither the settings file nor the log files', async () => {
      const { found, count } = scan(join(process.env.XDG_CONFIG_HOME, APP_DIR), [PROXY_PASSWORD]);
      const inLogs = scan(logs, [PROXY_PASSWORD]);
      if (count === 0 || inLogs.count === 0) throw new Error('nothing scanned');
      if (found.length + inLogs.found.length > 0) throw new Error(`found: ${JSON.stringify([...found, ...inLogs.found])}`);
    });

    await check('network: Staging over TLS under its own CA is refused with a plain reason, and accepted once that CA is chosen', async () => {
      const pki = makePki(dir);
      tls = await startTlsFront(pki, target);
      const path = (u) => new URL(u).pathname;
      await setStagingAddresses(browser, ctx, `${tls.origin}${path(ctx.sandbox.token)}`, `${tls.origin}${path(ctx.sandbox.api)}`);
      await press(browser, '#test-connection');
      const refused = await waitText(browser, '#settings-status', (t) => /\([a-z]+\.[a-z_]+\)$/.test(t) || t.startsWith('Ligação bem-sucedida'), 'TLS refused', 60_000);
      if (!refused.includes('não confia') || !refused.includes(CA_NAME) || !refused.includes('(net.tls)')) throw new Error(`unexpected reason: ${refused}`);
      const failedStep = await browser.execute(() => document.querySelector('#connection-steps li[data-outcome="failed"] .step__title')?.textContent);
      expectEqual(failedStep, 'Ligação segura (TLS)', 'the failed step');

      // "Choose certificate…": the debug build reads this path instead of the native dialog.
      await writeFile(process.env.SIGNSTASH_E2E_OPEN_PATH, pki.ca);
      await press(browser, '#choose-ca');
      await waitText(browser, '#ca-state', (t) => t.includes(CA_NAME), 'CA shown');
      await press(browser, '#test-connection');
      await waitText(browser, '#settings-status', (t) => t.startsWith('Ligação bem-sucedida'), 'TLS accepted', 60_000);
      const saved = JSON.parse(readFileSync(settingsFile, 'utf8')).environments.find((e) => e.id === 'staging');
      if (!saved.extraCaCertificate?.pem?.includes('BEGIN CERTIFICATE')) throw new Error('the CA is not kept in the settings');

      await press(browser, '#remove-ca');
      await waitText(browser, '#ca-state', (t) => !t.includes(CA_NAME), 'CA removed');
      await setStagingAddresses(browser, ctx, ctx.sandbox.token, ctx.sandbox.api);
    });
  } finally {
    await check('network: proxy set back to the system\'s, its login deleted, Sandbox active again', async () => {
      await openNetworkTab(browser);
      if (await browser.$('#delete-proxy-login').isExisting()) {
        await press(browser, '#delete-proxy-login');
        await waitText(browser, '#proxy-login-state', (t) => !t.includes(PROXY_USER), 'proxy login deleted');
      }
      await browser.$('#proxy-mode-system').click();
      await press(browser, '#save-proxy');
      await waitText(browser, '#settings-status', (t) => t === 'Definições guardadas.', 'proxy saved');
      await browser.waitUntil(async () => JSON.parse(readFileSync(settingsFile, 'utf8')).network?.proxy === 'system', {
        timeout: 5_000,
        timeoutMsg: 'settings.json never said proxy: system',
      });
      await browser.$('#nav-sign').click();
      await browser.$('#drop-zone').waitForExist({ timeout: 10_000 });
      await switchEnvironment(browser, 'sandbox');
      if (await browser.$('#clear-list').isExisting()) await browser.$('#clear-list').click();
    });
    proxy.child.kill();
    tls?.server.close();
  }
}
