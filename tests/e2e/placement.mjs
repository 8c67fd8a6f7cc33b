// Placement by preview and presets, end to end: create a preset, pick it, open the preview of a
// two-page PDF (the last page has another size), drag and resize the box with WebDriver pointer
// actions, sign in the Sandbox, and find the drawn box on the signed file's last page with
// pdftoppm at 72 dpi (1 px = 1 pt) exactly where the box was left on the preview.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pdfFromObjects } from './documents.mjs';

/** Two pages: an A4 with a line of text, then a blank Letter page with its MediaBox at (30, 40). */
export function twoPagePdf() {
  const text = 'BT /F1 18 Tf 72 720 Td (Fatura com duas paginas) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [30 40 642 832] /Resources << >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  return pdfFromObjects(objects);
}

/** Bounding box (left, top, right, bottom) of the dark pixels of `page`, rendered at 72 dpi. */
export function drawnBox(pdfPath, page) {
  const prefix = `${pdfPath}.page${page}`;
  const run = spawnSync('pdftoppm', ['-r', '72', '-gray', '-singlefile', '-f', String(page), '-l', String(page), pdfPath, prefix]);
  if (run.status !== 0) throw new Error(`pdftoppm failed: ${run.stderr}`);
  const image = readFileSync(`${prefix}.pgm`);
  const header = image.toString('latin1', 0, 40).split(/\s+/);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const start = image.length - width * height;
  let [left, top, right, bottom] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (image[start + y * width + x] < 128) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) throw new Error(`nothing drawn on page ${page}`);
  return { left, top, right, bottom, width, height };
}

async function drag(browser, selector, dx, dy) {
  const el = await browser.$(selector);
  await browser.execute((s) => document.querySelector(s).scrollIntoView({ block: 'center', inline: 'center' }), selector);
  await browser
    .action('pointer', { parameters: { pointerType: 'mouse' } })
    .move({ origin: el, x: 0, y: 0 })
    .down()
    .move({ origin: 'pointer', x: Math.round(dx / 2), y: Math.round(dy / 2), duration: 100 })
    .move({ origin: 'pointer', x: dx - Math.round(dx / 2), y: dy - Math.round(dy / 2), duration: 100 })
    .up()
    .perform();
}

/** The box on the page as shown, in points, and the preview's pixels per point. */
async function boxRect(browser) {
  return browser.execute(() => {
    const d = document.querySelector('#preview-box').dataset;
    return { left: Number(d.left), top: Number(d.top), width: Number(d.width), height: Number(d.height), scale: Number(d.scale) };
  });
}

/** `h`: the harness's helpers ({ check, invoke, waitText, text, screenshot, expectEqual }). */
export async function placementChecks(browser, work, h) {
  const folder = join(work, 'posicao');
  await mkdir(folder, { recursive: true });
  const pdfPath = join(folder, 'FT 2026-0100.pdf');
  await writeFile(pdfPath, twoPagePdf());
  let placed = null;

  await h.check('presets: create one from the options, pick it; it fills the options', async () => {
    if (await browser.$('#clear-list').isExisting()) await browser.$('#clear-list').click();
    await h.invoke(browser, 'plugin:event|emit', { event: 'open-files', payload: [pdfPath] });
    await browser.waitUntil(async () => (await browser.$$('#file-list .file-row[data-status="queued"]')).length === 1, {
      timeout: 10_000,
      timeoutMsg: 'the PDF was not listed',
    });
    await browser.execute(() => document.querySelector('#options').setAttribute('open', ''));
    await browser.$('#option-reason').setValue('Aprovação da fatura');
    await browser.$('#option-location').setValue('Porto');
    await browser.$('#preset-name').setValue('Faturas e2e');
    await browser.$('#preset-save').click();
    await browser.waitUntil(async () => (await browser.$('#preset-select').getValue()) === 'Faturas e2e', {
      timeout: 10_000,
      timeoutMsg: 'preset not saved',
    });
    // Change the options, then pick the preset again: it puts its values back.
    await browser.$('#option-reason').setValue('outra');
    await browser.execute(() => {
      const s = document.querySelector('#preset-select');
      s.value = '';
      s.dispatchEvent(new Event('change'));
      s.value = 'Faturas e2e';
      s.dispatchEvent(new Event('change'));
    });
    h.expectEqual(await browser.$('#option-reason').getValue(), 'Aprovação da fatura', 'reason from the preset');
    const saved = await h.invoke(browser, 'get_settings');
    h.expectEqual(saved.ok.settings.presets.map((p) => [p.name, p.reason, p.location]), [['Faturas e2e', 'Aprovação da fatura', 'Porto']], 'preset in settings');
  });

  await h.check('preview: the last page is drawn by pdf.js; the box is dragged and resized', async () => {
    await browser.$('#place-on-preview').click();
    try {
      await browser.$('#preview-canvas').waitForExist({ timeout: 10_000 });
      // Page 1 has a line of text: pdf.js drew it (dark pixels on the canvas), under the strict CSP.
      await browser.waitUntil(
        () =>
          browser.execute(() => {
            const c = document.querySelector('#preview-canvas');
            if (!c.width) return false;
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 100) dark += 1;
            return dark > 50;
          }),
        { timeout: 20_000, timeoutMsg: 'pdf.js drew nothing on page 1' },
      );
      await browser.$('#preview-last-page').click();
      await browser.waitUntil(async () => (await browser.$('#preview-box').getAttribute('data-page')) === '2', {
        timeout: 20_000,
        timeoutMsg: `page 2 never shown: ${await h.text(browser, '#preview-status')}`,
      });
      const size = await browser.execute(() => [document.querySelector('#preview-canvas').width, document.querySelector('#preview-canvas').height]);
      h.expectEqual(size[0] > 0 && size[0] < size[1], true, `canvas drawn at the page's proportions ${size}`);
      const before = await boxRect(browser);
      await drag(browser, '#preview-box', -120, -200);
      const moved = await boxRect(browser);
      const near = (a, b) => Math.abs(a - b) <= 2 / before.scale + 0.5;
      if (!near(moved.left, before.left - 120 / before.scale) || !near(moved.top, before.top - 200 / before.scale)) {
        throw new Error(`drag moved the box from ${JSON.stringify(before)} to ${JSON.stringify(moved)}`);
      }
      await drag(browser, '#preview-handle', 40, 24);
      placed = await boxRect(browser);
      if (!near(placed.width, before.width + 40 / before.scale) || !near(placed.height, before.height + 24 / before.scale)) {
        throw new Error(`resize: ${JSON.stringify(before)} → ${JSON.stringify(placed)}`);
      }
      await h.screenshot(browser, 'placement.png');
      await browser.$('#preview-apply').click();
    } finally {
      if (await browser.$('#preview-cancel').isExisting()) await browser.$('#preview-cancel').click();
    }
    await h.waitText(browser, '#placement-summary', (t) => t.includes('última página'), 'placement summary');
  });

  await h.check('sign with the placement: the box is on the last page where it was left (pdftoppm)', async () => {
    // Fold the options away again, as the rest of the story expects the window.
    await browser.execute(() => document.querySelector('#options').removeAttribute('open'));
    if (!placed) throw new Error('no placement from the previous check');
    await browser.$('#sign').click();
    await h.waitText(browser, '#summary', (t) => t.startsWith('Terminado'), 'summary', 60_000);
    h.expectEqual(await h.text(browser, '#summary'), 'Terminado: 1 assinada.', 'summary');
    const signedDir = join(folder, 'Signed');
    const signed = existsSync(signedDir) ? readdirSync(signedDir) : [];
    if (signed.length !== 1) throw new Error(`signed folder: ${signed}`);
    const box = drawnBox(join(signedDir, signed[0]), 2);
    h.expectEqual([box.width, box.height], [612, 792], 'last page size');
    const want = { left: placed.left, top: placed.top, right: placed.left + placed.width, bottom: placed.top + placed.height };
    for (const side of ['left', 'top', 'right', 'bottom']) {
      if (Math.abs(box[side] - want[side]) > 2.5) {
        throw new Error(`drawn box ${JSON.stringify(box)} is not where it was placed ${JSON.stringify(want)}`);
      }
    }
  });
}
