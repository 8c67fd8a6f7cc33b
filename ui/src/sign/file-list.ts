// The file list, virtualised: only the rows in view (plus a margin) exist in the DOM, so 1,000 or
// 10,000 files scroll as smoothly as 10. Rows have a fixed height; positions are set through the
// CSSOM (allowed by the CSP, unlike style attributes).
import { h } from '../dom';
import { icon, type IconName } from '../icons';
import type { Messages } from '../i18n';
import type { Row, RowStatus } from './queue';

export const ROW_HEIGHT = 44;
const OVERSCAN = 6;

const STATUS_ICON: Record<RowStatus, IconName> = {
  queued: 'hourglass',
  signing: 'spinner',
  signed: 'check',
  failed: 'cross',
  rejected: 'warning',
};

export interface FileListHandlers {
  showInFolder(path: string): void;
}

export class FileList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private rows: Row[] = [];
  private t: Messages;
  private frame = 0;
  /** The row keyboard focus is on (roving tabindex: only it is in the Tab order). */
  private active = 0;

  constructor(t: Messages, private readonly handlers: FileListHandlers) {
    this.t = t;
    this.spacer = h('div', { class: 'file-list__spacer' });
    // Rows are focusable one at a time; the list itself is focusable only while it is empty.
    this.element = h('div', { class: 'file-list', id: 'file-list', role: 'list', 'aria-describedby': 'file-list-help' }, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('focusin', (e) => {
      const index = (e.target as HTMLElement).closest<HTMLElement>('.file-row')?.dataset['index'];
      if (index !== undefined) this.active = Number(index);
    });
    window.addEventListener('resize', () => this.schedule());
  }

  setMessages(t: Messages): void {
    this.t = t;
    this.render();
  }

  update(rows: Row[]): void {
    this.rows = rows;
    this.active = Math.min(this.active, Math.max(0, rows.length - 1));
    this.schedule();
  }

  /** At most one render per frame, however many progress events arrive. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Arrow keys, Home and End move between rows; the virtualised list scrolls to keep it in view. */
  private onKey(e: KeyboardEvent): void {
    if (!(e.target instanceof HTMLElement) || !e.target.classList.contains('file-row')) return;
    const last = this.rows.length - 1;
    const next = { ArrowDown: this.active + 1, ArrowUp: this.active - 1, Home: 0, End: last, PageDown: this.active + 10, PageUp: this.active - 10 }[e.key];
    if (next === undefined || last < 0) return;
    e.preventDefault();
    this.focusRow(Math.max(0, Math.min(last, next)));
  }

  focusRow(index: number): void {
    this.active = index;
    const top = index * ROW_HEIGHT;
    const viewport = this.element.clientHeight || 400;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + ROW_HEIGHT > this.element.scrollTop + viewport) this.element.scrollTop = top + ROW_HEIGHT - viewport;
    this.render();
    this.spacer.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus();
  }

  render(): void {
    // Re-rendering replaces the rows: keep keyboard focus on the same row.
    const hadFocus = this.element.contains(document.activeElement) && document.activeElement !== this.element;
    const focusedShow = document.activeElement instanceof HTMLElement && document.activeElement.dataset['show'] !== undefined;
    this.element.tabIndex = this.rows.length === 0 ? 0 : -1;
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    const viewport = this.element.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.element.scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
    const children: HTMLElement[] = [];
    if (this.rows.length === 0) children.push(h('p', { class: 'file-list__empty', id: 'file-list-empty' }, this.t.list.empty));
    for (let i = first; i < last; i++) children.push(this.row(this.rows[i]!, i));
    this.spacer.replaceChildren(...children);
    if (hadFocus) {
      const row = this.spacer.querySelector<HTMLElement>(`[data-index="${this.active}"]`);
      (focusedShow ? row?.querySelector<HTMLElement>('[data-show]') : row)?.focus();
    }
  }

  private reason(row: Row): string {
    const t = this.t.list;
    if (row.status === 'rejected') return t.rejected[row.code ?? ''] ?? t.rejectedOther;
    if (row.status === 'failed') return row.message || this.t.errors.unknown;
    return '';
  }

  private row(row: Row, index: number): HTMLElement {
    const reason = this.reason(row);
    const el = h(
      'div',
      {
        class: `file-row file-row--${row.status}`,
        role: 'listitem',
        'data-status': row.status,
        'data-path': row.path,
        'data-index': String(index),
        id: `file-row-${index}`,
        tabindex: index === this.active ? '0' : '-1',
        'aria-label': this.t.a11y.fileRow(row.name, this.t.list.status[row.status], reason),
        'aria-setsize': String(this.rows.length),
        'aria-posinset': String(index + 1),
      },
      h('span', { class: 'file-row__status' }, icon(STATUS_ICON[row.status]), h('span', {}, this.t.list.status[row.status])),
      h('span', { class: 'file-row__name', title: row.path }, row.name),
      h('span', { class: 'file-row__kind' }, row.kind === 'pdf' ? 'PAdES' : row.kind === 'xml' ? 'XAdES' : ''),
      h('span', { class: 'file-row__reason', title: row.code ?? '' }, reason),
    );
    if (row.output) {
      const button = h('button', { type: 'button', class: 'button button--small', 'data-show': row.output }, this.t.list.showInFolder);
      const output = row.output;
      button.addEventListener('click', () => this.handlers.showInFolder(output));
      el.append(button);
    }
    el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    return el;
  }
}
