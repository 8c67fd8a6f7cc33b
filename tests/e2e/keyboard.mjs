// End-to-end check of issue 7 item 5: the app used with the keyboard only. WebDriver key actions
// (Tab, Shift+Tab, arrows, Enter, Space) move and operate; files come in through the open-files
// event (native dialogs cannot be driven). Every element that receives focus on the way must show
// a visible focus ring (computed outline), and the signed PDF must pass pdfsig.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Key } from 'webdriverio';

/** What has focus, and whether it shows a ring a sighted keyboard user can see. */
async function focused(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { id: '(body)', visible: false, where: 'body' };
    const cs = getComputedStyle(el);
    const width = parseFloat(cs.outlineWidth) || 0;
    return {
      id: el.id || `${el.tagName.toLowerCase()}.${el.className}`,
      visible: cs.outlineStyle !== 'none' && width >= 2,
      where: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
      selected: el.getAttribute('aria-selected'),
    };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element with `id` has focus, checking the ring of each
 * element focused on the way. Returns the ids passed.
 */
async function tabTo(browser, id, { back = false, max = 40 } = {}) {
  const passed = [];
  for (let i = 0; i < max; i++) {
    if (back) await browser.keys([Key.Shift, Key.Tab]);
    else await browser.keys([Key.Tab]);
    const f = await focused(browser);
    passed.push(f.id);
    if (f.id !== '(body)' && !f.visible) throw new Error(`focus on #${f.id} has no visible ring (${f.where}); path: ${passed.join(' → ')}`);
    if (f.id === id) return passed;
  }
  throw new Error(`#${id} not reached with ${back ? 'Shift+' : ''}Tab in ${max} presses: ${passed.join(' → ')}`);
}

async function press(browser, key) {
  await browser.keys([key]);
}

/**
 * @param ctx { browser, check, invoke, waitText, expectEqual, work, pdf, shots }
 */
export async function keyboardChecks(ctx) {
  const { check, invoke, waitText, expectEqual, work, pdf, shots } = ctx;
  const browser = ctx.browser;
  const folder = join(work, 'teclado');
  await mkdir(folder, { recursive: true });
  const names = ['FT K-0001.pdf', 'FT K-0002.pdf'];
  for (const n of names) await writeFile(join(folder, n), pdf(n));

  await check('keyboard only: nav by Tab + Enter, settings tabs by arrow keys, forms reachable, rings visible', async () => {
    await browser.$('#nav-sign').click();
    await browser.$('#drop-zone').waitForExist({ timeout: 10_000 });
    // Start from nothing focused, as after opening the window.
    await browser.execute(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await tabTo(browser, 'nav-settings');
    await press(browser, Key.Enter);
    await browser.$('#tab-sandbox').waitForExist({ timeout: 10_000 });
    await tabTo(browser, 'tab-sandbox');
    await press(browser, Key.ArrowRight);
    const f = await focused(browser);
    expectEqual([f.id, f.selected], ['tab-staging', 'true'], 'ArrowRight selects and focuses the next tab');
    await browser.$('#client-id').waitForExist({ timeout: 10_000 });
    await tabTo(browser, 'client-id');
    await press(browser, Key.Home); // a key in a text field stays there
    await tabTo(browser, 'nav-history', { back: true });
    await press(browser, Key.Enter);
    await browser.$('#history-search').waitForExist({ timeout: 10_000 });
    await tabTo(browser, 'history-search');
    await tabTo(browser, 'history-outcome');
    await tabTo(browser, 'nav-sign', { back: true });
    await press(browser, Key.Space);
    await browser.$('#add-files').waitForExist({ timeout: 10_000 });
    await tabTo(browser, 'add-files');
    await tabTo(browser, 'add-folder');
  });

  await check('keyboard only: sign two PDFs (files via open-files), rows reachable with arrows, Enter on Sign', async () => {
    await invoke(browser, 'plugin:event|emit', { event: 'open-files', payload: names.map((n) => join(folder, n)) });
    await browser.waitUntil(async () => (await browser.$$('#file-list .file-row')).length === 2, { timeout: 10_000, timeoutMsg: 'two rows never appeared' });
    // Focus was on Add folder; the rows follow in the Tab order.
    await tabTo(browser, 'file-row-0');
    await press(browser, Key.ArrowDown);
    expectEqual((await focused(browser)).id, 'file-row-1', 'ArrowDown moves to the next row');
    const label = await browser.$('#file-row-1').getAttribute('aria-label');
    if (!label.includes('FT K-0002.pdf')) throw new Error(`row label: ${label}`);
    await tabTo(browser, 'sign');
    await mkdir(shots, { recursive: true });
    await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
    await browser.saveScreenshot(join(shots, 'keyboard-focus.png'));
    await press(browser, Key.Enter);
    await waitText(browser, '#summary', (t) => t === 'Terminado: 2 assinadas.', 'summary', 60_000);
    const signed = existsSync(join(folder, 'Signed')) ? readdirSync(join(folder, 'Signed')).sort() : [];
    expectEqual(signed, ['FT K-0001_signed.pdf', 'FT K-0002_signed.pdf'], 'signed outputs');
    for (const n of signed) {
      const r = spawnSync('pdfsig', ['-nocert', '-no-ocsp', join(folder, 'Signed', n)], { encoding: 'utf8' });
      if (!`${r.stdout}`.includes('Signature is Valid')) throw new Error(`pdfsig on ${n}:\n${r.stdout}${r.stderr}`);
    }
    // The outcome is announced: the summary is a status region, the counts a polite live region.
    expectEqual(await browser.$('#summary').getAttribute('role'), 'status', 'summary is a live status');
    expectEqual(await browser.$('#progress-counts').getAttribute('aria-live'), 'polite', 'counts are live');
    await tabTo(browser, 'clear-list', { back: true });
    await press(browser, Key.Enter);
    await browser.waitUntil(async () => (await browser.$$('#file-list .file-row')).length === 0, { timeout: 5_000, timeoutMsg: 'list not cleared by keyboard' });
  });

  await check('keyboard only: placement preview opened by Enter, box moved by arrows and resized by Ctrl+arrows, Tab kept in the dialog, Escape closes', async () => {
    await invoke(browser, 'plugin:event|emit', { event: 'open-files', payload: [join(folder, names[0])] });
    await browser.waitUntil(async () => (await browser.$$('#file-list .file-row')).length === 1, { timeout: 10_000, timeoutMsg: 'the row never appeared' });
    // Options start closed; the keyboard opens them.
    await browser.execute(() => {
      document.querySelector('#options').removeAttribute('open');
      document.activeElement instanceof HTMLElement && document.activeElement.blur();
    });
    await tabTo(browser, 'options-summary');
    await press(browser, Key.Enter);
    expectEqual(await browser.execute(() => document.querySelector('#options').open), true, 'Enter on the summary opens the options');
    await tabTo(browser, 'place-on-preview');
    await press(browser, Key.Enter);
    try {
      await keyboardPreview();
    } finally {
      // Left open by a failure, the dialog would cover the window for the checks that follow.
      if (await browser.$('#preview-cancel').isExisting()) await browser.$('#preview-cancel').click();
      await browser.$('#clear-list').click();
    }
  });

  async function keyboardPreview() {
    await browser.waitUntil(() => browser.execute(() => document.activeElement?.id === 'preview-box' && document.querySelector('#preview-box').dataset.scale > 0), {
      timeout: 20_000,
      timeoutMsg: 'the preview did not open with focus on the box',
    });
    const box = () => browser.execute(() => Object.fromEntries(['left', 'top', 'width', 'height'].map((k) => [k, Number(document.querySelector('#preview-box').dataset[k])])));
    const ring = await focused(browser);
    if (!ring.visible) throw new Error(`the box has no visible focus ring (${ring.where})`);
    const before = await box();
    const near = (a, b) => Math.abs(a - b) < 0.02; // the dataset holds 2 decimals
    await browser.keys([Key.ArrowLeft]);
    await browser.keys([Key.Shift, Key.ArrowUp]);
    await browser.keys([Key.Ctrl, Key.ArrowRight]);
    await browser.keys([Key.Ctrl, Key.Shift, Key.ArrowDown]);
    const after = await box();
    const expected = { left: before.left - 1, top: before.top - 10, width: before.width + 1, height: before.height + 10 };
    for (const k of Object.keys(expected)) {
      if (!near(after[k], expected[k])) throw new Error(`box ${k}: ${JSON.stringify(before)} → ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}`);
    }
    await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
    await browser.saveScreenshot(join(shots, 'keyboard-preview.png'));
    // A modal dialog: Tab and Shift+Tab cycle through its controls and come back to the box.
    for (const back of [false, true]) {
      const passed = await tabTo(browser, 'preview-box', { back, max: 15 });
      const outside = await browser.execute(() => !document.querySelector('#preview').contains(document.activeElement));
      if (outside || passed.length < 4) throw new Error(`${back ? 'Shift+' : ''}Tab left the dialog or skipped its controls: ${passed.join(' → ')}`);
    }
    await press(browser, Key.Escape);
    await browser.waitUntil(async () => !(await browser.$('#preview').isExisting()), { timeout: 5_000, timeoutMsg: 'Escape did not close the preview' });
    expectEqual((await focused(browser)).id, 'place-on-preview', 'focus back on the button that opened the preview');
  }
}
