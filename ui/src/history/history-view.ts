// History: every document signed or failed, newest first, with search, filters and CSV export.
import type { HistoryFilter } from '../lib/bindings/HistoryFilter';
import type { HistoryOutcome } from '../lib/bindings/HistoryOutcome';
import type { HistoryRow } from '../lib/bindings/HistoryRow';
import type { EnvironmentInfo } from '../lib/bindings/EnvironmentInfo';
import * as ipc from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import type { Messages } from '../i18n';
import { fileName } from '../sign/queue';

export interface HistoryContext {
  t: Messages;
  environments: EnvironmentInfo[];
  /** Puts a failed document back in the main window's list. */
  retry(path: string): void;
  showError(error: unknown): void;
}

const OUTCOMES: HistoryOutcome[] = ['signed', 'failed', 'interrupted', 'pending'];

export class HistoryPanel {
  readonly element: HTMLElement;
  private filter: HistoryFilter = { text: null, environmentId: null, outcome: null, since: null, until: null };
  private readonly table: HTMLElement;
  private readonly status: HTMLElement;
  private timer = 0;

  constructor(private readonly context: HistoryContext) {
    const t = context.t.history;
    const search = h('input', { type: 'search', id: 'history-search', placeholder: t.search, 'aria-label': t.search });
    search.addEventListener('input', () => {
      this.filter.text = search.value || null;
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.load(), 200);
    });
    const env = h('select', { id: 'history-environment', 'aria-label': context.t.history.columns.environment }, h('option', { value: '' }, t.allEnvironments));
    for (const e of context.environments) env.append(h('option', { value: e.id }, context.t.environment.names[e.kind]));
    env.addEventListener('change', () => {
      this.filter.environmentId = env.value || null;
      void this.load();
    });
    const outcome = h('select', { id: 'history-outcome', 'aria-label': t.columns.result }, h('option', { value: '' }, t.allOutcomes));
    for (const o of OUTCOMES) outcome.append(h('option', { value: o }, t.outcomes[o]));
    outcome.addEventListener('change', () => {
      this.filter.outcome = (outcome.value || null) as HistoryOutcome | null;
      void this.load();
    });
    // Whole local days: "since" from its midnight, "until" to the end of its day.
    const day = (id: string, label: string, key: 'since' | 'until') => {
      const input = h('input', { type: 'date', id, 'aria-label': label, title: label });
      input.addEventListener('change', () => {
        const [y, m, d] = input.value.split('-').map(Number);
        this.filter[key] =
          y && m && d ? (key === 'since' ? new Date(y, m - 1, d).getTime() : new Date(y, m - 1, d + 1).getTime() - 1) : null;
        void this.load();
      });
      return input;
    };
    const exportButton = h('button', { type: 'button', class: 'button', id: 'export-csv' }, icon('documentIn'), t.exportCsv);
    exportButton.addEventListener('click', () => {
      ipc.exportHistoryCsv(this.filter).then((path) => {
        if (path) this.status.textContent = t.exported(path);
      }, context.showError);
    });
    this.status = h('p', { class: 'form-status', role: 'status' });
    this.table = h('div', { class: 'history-table-wrap' });
    this.element = h(
      'div',
      { class: 'history', id: 'history' },
      h('h1', { class: 'view-title' }, t.title),
      h('div', { class: 'history__filters' }, search, env, outcome, day('history-since', t.since, 'since'), day('history-until', t.until, 'until'), exportButton),
      this.status,
      this.table,
    );
  }

  async load(): Promise<void> {
    try {
      this.render(await ipc.history(this.filter));
    } catch (e) {
      this.context.showError(e);
    }
  }

  private retryButton(path: string): HTMLElement {
    const b = h('button', { type: 'button', class: 'button button--small history-row__retry' }, this.context.t.history.retry);
    b.addEventListener('click', () => this.context.retry(path));
    return b;
  }

  private render(rows: HistoryRow[]): void {
    const t = this.context.t;
    if (rows.length === 0) {
      this.table.replaceChildren(h('p', { class: 'empty', id: 'history-empty' }, t.history.empty));
      return;
    }
    const date = new Intl.DateTimeFormat(t.locale, { dateStyle: 'short', timeStyle: 'medium' });
    const kinds = new Map(this.context.environments.map((e) => [e.id, e.kind]));
    const c = t.history.columns;
    const head = h('tr', {}, ...[c.date, c.environment, c.document, c.result, c.output, c.operation].map((x) => h('th', { scope: 'col' }, x)));
    const body = h('tbody', {});
    for (const r of rows) {
      const kind = kinds.get(r.environmentId);
      const output = r.output
        ? (() => {
            const b = h('button', { type: 'button', class: 'link', title: r.output }, fileName(r.output));
            const path = r.output;
            b.addEventListener('click', () => void ipc.showInFolder(path).catch(this.context.showError));
            return b;
          })()
        : '';
      body.append(
        h(
          'tr',
          { class: `history-row history-row--${r.outcome}`, 'data-input': r.input },
          h('td', {}, date.format(new Date(r.time))),
          h('td', {}, h('span', { class: `badge badge--${kind ?? 'unknown'}` }, kind ? t.environment.names[kind] : r.environmentId)),
          h('td', { title: r.input }, fileName(r.input)),
          h('td', {}, t.history.outcomes[r.outcome], r.outcome === 'failed' && h('span', { class: 'history-row__reason' }, ` — ${r.errorMessage ?? ''}`), r.outcome === 'failed' && this.retryButton(r.input)),
          h('td', {}, output),
          h('td', { class: 'mono', title: r.externalReference ?? '' }, r.operationId === null ? '' : String(r.operationId)),
        ),
      );
    }
    this.table.replaceChildren(h('table', { class: 'history-table', id: 'history-table' }, h('thead', {}, head), body));
  }
}
