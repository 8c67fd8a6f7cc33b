// End-to-end checks of the real app, driven through tauri-driver (WebDriver → WebKitWebDriver).
// Run it via scripts/e2e.sh, which provides Xvfb, a D-Bus session with an unlocked keyring and a
// running tauri-driver. The last line printed is always "N passed, N failed"; exit code 1 if
// anything failed (including the session not starting).
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const application = resolve(process.env.APP ?? join(root, 'target/debug/signstash-desk'));
const port = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const screenshot = join(root, 'docs/screenshots/main-window.png');

// What the screen must say in each language (kept here, not imported from ui/, so a broken
// translation file cannot make the test agree with itself).
const TEXT = {
  pt: {
    environment: 'Formação (sandbox)',
    validity: 'não válido',
    dropZone: 'Arraste faturas (PDF ou XML) ou pastas para aqui',
    addFiles: 'Adicionar ficheiros…',
    addFolder: 'Adicionar pasta…',
    version: /^Versão \d+\.\d+\.\d+/,
  },
  en: {
    environment: 'Sandbox (training)',
    validity: 'not valid',
    dropZone: 'Drag invoices (PDF or XML) or folders here',
    addFiles: 'Add files…',
    addFolder: 'Add folder…',
    version: /^Version \d+\.\d+\.\d+/,
  },
};

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok     ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED ${name}\n       ${String(error?.message ?? error).split('\n').join('\n       ')}`);
  }
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function expectMatch(actual, pattern, what) {
  if (!pattern.test(actual)) throw new Error(`${what}: expected ${pattern}, got ${JSON.stringify(actual)}`);
}

async function text(browser, selector) {
  return (await browser.$(selector).getText()).trim();
}

async function expectScreen(browser, language) {
  const t = TEXT[language];
  expectEqual(await browser.execute(() => document.documentElement.lang), language, 'document language');
  // The name is preceded by a visually hidden "Ambiente: " for screen readers; getText only
  // returns what is rendered.
  expectEqual(await text(browser, '#environment-name'), t.environment, 'environment name');
  // CSS upper-cases the badge; compare the words, not the casing.
  expectEqual((await text(browser, '#environment-validity')).toLowerCase(), t.validity, 'validity badge');
  expectEqual(await text(browser, '#drop-zone-title'), t.dropZone, 'drop zone title');
  expectEqual(await text(browser, '#add-files'), t.addFiles, 'add files button');
  expectEqual(await text(browser, '#add-folder'), t.addFolder, 'add folder button');
  expectMatch(await text(browser, '#app-version'), t.version, 'footer version');
}

async function main() {
  let browser;
  try {
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      connectionRetryCount: 1,
      capabilities: {
        'tauri:options': { application },
        'wdio:enforceWebDriverClassic': true,
      },
    });
  } catch (error) {
    failed += 1;
    console.log(`FAILED start a WebDriver session for ${application}\n       ${error?.message ?? error}`);
    return;
  }

  try {
    let initial = 'pt';

    await check('the window is titled "Sign\'Stash Desk"', async () => {
      expectEqual(await browser.getTitle(), "Sign'Stash Desk", 'title');
    });

    await check('the environment band shows Sandbox (from app_info) with icon and "not valid" words', async () => {
      const band = browser.$('#environment-band');
      await band.waitForExist({ timeout: 10_000 });
      // "loading" until the app_info command answers.
      await browser.waitUntil(async () => (await band.getAttribute('data-environment')) === 'sandbox', {
        timeout: 10_000,
        timeoutMsg: 'band never switched to the sandbox environment',
      });
      expectEqual(await browser.$('#environment-band svg').isExisting(), true, 'band icon present');
      expectEqual(await browser.$('#error-alert').isExisting(), false, 'no error shown');
    });

    await check('the embedded sandbox runs and issues a token to sandbox:sandbox', async () => {
      const info = await browser.executeAsync((done) => {
        window.__TAURI_INTERNALS__.invoke('app_info').then(done, (e) => done({ error: e }));
      });
      const base = info?.environment?.apiBase;
      if (!base) throw new Error(`app_info has no sandbox address: ${JSON.stringify(info)}`);
      const response = await fetch(`${base}/oauth2/authorization-server/oauth/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('sandbox:sandbox').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expectEqual(response.status, 200, 'token status');
      expectEqual((await response.json()).token_type, 'bearer', 'token type');
    });

    await check('starts in Portuguese (the system language under e2e.sh)', async () => {
      initial = await browser.execute(() => document.documentElement.lang);
      await expectScreen(browser, 'pt');
    });

    await check('the drop zone and its buttons are shown', async () => {
      expectEqual(await browser.$('#drop-zone').isDisplayed(), true, 'drop zone displayed');
      expectEqual(await browser.$('#add-files').isDisplayed(), true, 'add files displayed');
      expectEqual(await browser.$('#add-folder').isDisplayed(), true, 'add folder displayed');
    });

    await check('the content security policy blocks eval', async () => {
      const result = await browser.execute(() => {
        try {
          // eslint-disable-next-line no-eval
          return (0, eval)('"eval ran"');
        } catch (error) {
          return `blocked: ${error?.name}`;
        }
      });
      expectEqual(result, 'blocked: EvalError', 'eval under the CSP');
    });

    await check('the language switch changes every text, and switches back', async () => {
      const other = initial === 'pt' ? 'en' : 'pt';
      await browser.$('#language-switch').click();
      await expectScreen(browser, other);
      await browser.$('#language-switch').click();
      await expectScreen(browser, initial);
    });

    await check('screenshot saved to docs/screenshots/main-window.png', async () => {
      await mkdir(dirname(screenshot), { recursive: true });
      // Drop the focus ring the clicks left, so the picture shows the resting state.
      await browser.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await expectScreen(browser, initial);
      // WebKitWebDriver returns the last *painted* frame, which (software rendering under Xvfb)
      // can lag the DOM by a frame or more: seen returning the "checking…" state long after
      // app_info had answered. Two animation frames guarantee the current DOM was painted.
      await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
      await browser.saveScreenshot(screenshot);
      // The picture must show the loaded state, not "checking the environment…".
      await expectScreen(browser, initial);
    });
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

try {
  await main();
} catch (error) {
  failed += 1;
  console.log(`FAILED unexpected error\n       ${error?.stack ?? error}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
