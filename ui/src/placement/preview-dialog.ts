// The preview: the chosen page of a PDF drawn by pdf.js, with the signature box on top. The user
// drags the box (pointer or arrow keys) and its corner handle; "Use this position" hands back the
// page-independent placement, for this document or for every document.
import type { Messages } from '../i18n';
import type { PresetPlacement } from '../lib/bindings/PresetPlacement';
import { h } from '../dom';
import { clampToPage, fromRelative, pageFor, shownSize, toRelative, type PageGeometry, type ShownRect } from './coords';
import type { OpenPdf } from './pdf';

export interface PreviewResult {
  path: string;
  scope: 'document' | 'all';
  placement: PresetPlacement;
}

export interface PreviewOptions {
  t: Messages;
  /** The PDFs in the list (full paths). */
  pdfs: string[];
  start: PresetPlacement;
  open(path: string): Promise<OpenPdf>;
  onApply(result: PreviewResult): void;
  onClose(): void;
}

/** CSS pixels per point that fit the page in the window, within reason. */
function fitScale(width: number, height: number): number {
  const fit = Math.min((window.innerHeight - 400) / height, (window.innerWidth - 120) / width);
  return Math.min(1.2, Math.max(0.3, Number.isFinite(fit) ? fit : 0.8));
}

export class PreviewDialog {
  readonly element: HTMLElement;
  private readonly canvas = h('canvas', { class: 'preview__canvas', id: 'preview-canvas' });
  private readonly box: HTMLElement;
  private readonly status = h('p', { class: 'preview__status', id: 'preview-status', role: 'status' });
  private readonly pageInput: HTMLInputElement;
  private readonly pageCount = h('span', { id: 'preview-page-count' });
  private readonly lastPage: HTMLInputElement;
  private pdf: OpenPdf | null = null;
  private geometry: PageGeometry | null = null;
  private rect: ShownRect = { left: 0, top: 0, width: 180, height: 50 };
  private path = '';
  private scale = 0.8;

  constructor(private readonly options: PreviewOptions) {
    const t = options.t.placement;
    const documentSelect = h('select', { id: 'preview-document' });
    for (const path of options.pdfs) documentSelect.append(h('option', { value: path }, path.split(/[\\/]/).pop() ?? path));
    documentSelect.addEventListener('change', () => void this.load(documentSelect.value));
    this.pageInput = h('input', { type: 'number', id: 'preview-page', min: '1', value: String(Math.max(1, options.start.page)) });
    this.pageInput.addEventListener('change', () => void this.showPage());
    this.lastPage = h('input', { type: 'checkbox', id: 'preview-last-page', checked: options.start.lastPage });
    this.lastPage.addEventListener('change', () => void this.showPage());
    const handle = h('span', { class: 'preview__handle', id: 'preview-handle', title: t.resize, 'aria-hidden': 'true' });
    this.box = h('div', { class: 'preview__box', id: 'preview-box', tabindex: '0', role: 'button', 'aria-label': t.boxLabel }, handle);
    this.dragging(this.box, handle);
    const scopeThis = h('input', { type: 'radio', name: 'preview-scope', id: 'preview-scope-document', value: 'document' });
    const scopeAll = h('input', { type: 'radio', name: 'preview-scope', id: 'preview-scope-all', value: 'all', checked: true });
    const apply = h('button', { type: 'button', class: 'button button--primary', id: 'preview-apply' }, t.apply);
    apply.addEventListener('click', () => {
      if (!this.geometry) return;
      const page = Number(this.pageInput.value) || 1;
      options.onApply({
        path: this.path,
        scope: scopeThis.checked ? 'document' : 'all',
        placement: toRelative(this.geometry, this.rect, page, this.lastPage.checked),
      });
      this.close();
    });
    const cancel = h('button', { type: 'button', class: 'button', id: 'preview-cancel' }, t.cancel);
    cancel.addEventListener('click', () => this.close());
    this.element = h(
      'div',
      { class: 'preview', id: 'preview', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'preview-title' },
      h(
        'div',
        { class: 'preview__panel' },
        h('h2', { id: 'preview-title' }, t.dialogTitle),
        h(
          'div',
          { class: 'preview__controls' },
          h('label', { class: 'field' }, h('span', {}, t.document), documentSelect),
          h('label', { class: 'field field--narrow' }, h('span', {}, t.page), this.pageInput, this.pageCount),
          h('label', { class: 'check' }, this.lastPage, h('span', {}, t.lastPage)),
        ),
        h('p', { class: 'preview__hint' }, t.hint),
        this.status,
        h('div', { class: 'preview__page', id: 'preview-page-area' }, this.canvas, this.box),
        h(
          'fieldset',
          { class: 'preview__scope' },
          h('legend', {}, t.scope),
          h('label', { class: 'check' }, scopeThis, h('span', {}, t.scopeThis)),
          h('label', { class: 'check' }, scopeAll, h('span', {}, t.scopeAll)),
        ),
        h('div', { class: 'preview__actions' }, cancel, apply),
      ),
    );
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    const first = options.pdfs[0];
    if (first) void this.load(first);
  }

  private close(): void {
    this.pdf?.close();
    this.pdf = null;
    this.element.remove();
    this.options.onClose();
  }

  private async load(path: string): Promise<void> {
    const t = this.options.t.placement;
    this.path = path;
    this.status.textContent = t.loading;
    this.pdf?.close();
    this.pdf = null;
    try {
      this.pdf = await this.options.open(path);
      this.pageCount.textContent = ` ${t.pageOf(this.pdf.pageCount)}`;
      this.pageInput.max = String(this.pdf.pageCount);
      await this.showPage(true);
    } catch (e) {
      console.error('preview failed', e);
      this.status.textContent = t.unreadable;
    }
  }

  private async showPage(initial = false): Promise<void> {
    const pdf = this.pdf;
    if (!pdf) return;
    const wanted = { ...this.options.start, page: Number(this.pageInput.value) || 1, lastPage: this.lastPage.checked };
    const page = Math.min(pageFor(wanted, pdf.pageCount), pdf.pageCount);
    this.pageInput.value = String(page);
    this.pageInput.disabled = this.lastPage.checked;
    const geometry = await pdf.geometry(page);
    const shown = shownSize(geometry);
    this.scale = fitScale(shown.width, shown.height);
    await pdf.render(page, this.canvas, this.scale);
    // Keep the box where it was relative to the page; the first time, where the options had it.
    this.rect = initial || !this.geometry
      ? fromRelative(geometry, this.options.start)
      : fromRelative(geometry, toRelative(this.geometry, this.rect, page, this.lastPage.checked));
    this.geometry = geometry;
    this.status.textContent = '';
    this.drawBox();
    this.box.dataset.page = String(page);
  }

  private drawBox(): void {
    // CSSOM properties, not a style attribute: allowed by the CSP (style-src 'self').
    const s = this.box.style;
    s.left = `${this.rect.left * this.scale}px`;
    s.top = `${this.rect.top * this.scale}px`;
    s.width = `${this.rect.width * this.scale}px`;
    s.height = `${this.rect.height * this.scale}px`;
    // The box in points on the page as shown (read by the e2e check).
    const d = this.box.dataset;
    d.left = this.rect.left.toFixed(2);
    d.top = this.rect.top.toFixed(2);
    d.width = this.rect.width.toFixed(2);
    d.height = this.rect.height.toFixed(2);
    d.scale = String(this.scale);
  }

  private move(change: Partial<ShownRect>): void {
    if (!this.geometry) return;
    this.rect = clampToPage(this.geometry, { ...this.rect, ...change });
    this.drawBox();
  }

  private dragging(box: HTMLElement, handle: HTMLElement): void {
    let start: { x: number; y: number; rect: ShownRect; resize: boolean } | null = null;
    box.addEventListener('pointerdown', (e) => {
      start = { x: e.clientX, y: e.clientY, rect: { ...this.rect }, resize: e.target === handle };
      try {
        box.setPointerCapture(e.pointerId);
      } catch {
        // Synthetic pointers (tests) may have no capturable id; moves still arrive while over the box.
      }
      e.preventDefault();
    });
    box.addEventListener('pointermove', (e) => {
      if (!start) return;
      const dx = (e.clientX - start.x) / this.scale;
      const dy = (e.clientY - start.y) / this.scale;
      if (start.resize) this.move({ width: start.rect.width + dx, height: start.rect.height + dy });
      else this.move({ left: start.rect.left + dx, top: start.rect.top + dy });
    });
    const end = () => {
      start = null;
    };
    box.addEventListener('pointerup', end);
    box.addEventListener('pointercancel', end);
    box.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 10 : 1;
      const moves: Record<string, Partial<ShownRect>> = {
        ArrowLeft: { left: this.rect.left - step },
        ArrowRight: { left: this.rect.left + step },
        ArrowUp: { top: this.rect.top - step },
        ArrowDown: { top: this.rect.top + step },
      };
      const change = moves[e.key];
      if (change) {
        this.move(change);
        e.preventDefault();
      }
    });
  }
}
