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

  constructor(t: Messages, private readonly handlers: FileListHandlers) {
    this.t = t;
    this.spacer = h('div', { class: 'file-list__spacer' });
    this.element = h('div', { class: 'file-list', id: 'file-list', role: 'list', tabindex: '0' }, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    window.addEventListener('resize', () => this.schedule());
  }

  setMessages(t: Messages): void {
    this.t = t;
    this.render();
  }

  update(rows: Row[]): void {
    this.rows = rows;
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

  render(): void {
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    const viewport = this.element.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.element.scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
    const children: HTMLElement[] = [];
    if (this.rows.length === 0) children.push(h('p', { class: 'file-list__empty', id: 'file-list-empty' }, this.t.list.empty));
    for (let i = first; i < last; i++) children.push(this.row(this.rows[i]!, i));
    this.spacer.replaceChildren(...children);
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
      { class: `file-row file-row--${row.status}`, role: 'listitem', 'data-status': row.status, 'data-path': row.path },
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
