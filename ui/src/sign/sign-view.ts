// The main window's work area: drop zone, signature options, the file list, and the bar with
// progress and the one obvious action ("Assinar 12 faturas em Produção").
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { UnlistenFn } from '@tauri-apps/api/event';
import type { BatchSummary } from '../lib/bindings/BatchSummary';
import type { EnvironmentInfo } from '../lib/bindings/EnvironmentInfo';
import type { Intake } from '../lib/bindings/Intake';
import type { InterruptedBatch } from '../lib/bindings/InterruptedBatch';
import type { Placement } from '../lib/bindings/Placement';
import type { SignatureSettings } from '../lib/bindings/SignatureSettings';
import * as ipc from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import type { Messages } from '../i18n';
import { openListedPdf, placementPanel } from '../placement/placement-panel';
import { PlacementState } from '../placement/placement-state';
import { FileList } from './file-list';
import { FileQueue } from './queue';

export interface SignViewContext {
  t: Messages;
  environment: EnvironmentInfo;
  signature: SignatureSettings;
  onSignatureChange(signature: SignatureSettings): void;
  openSettings(environmentId: string): void;
  openHistory(): void;
  showError(error: unknown): void;
}

const PLACEMENTS: Placement[] = ['bottomRight', 'bottomLeft', 'topRight', 'topLeft', 'coordinates'];

/** Long-lived: the queue and the listeners survive language and view switches. */
export class SignController {
  readonly queue = new FileQueue();
  /** Boxes placed on the preview, for the next batches. */
  readonly placement = new PlacementState();
  running = false;
  summary: BatchSummary | null = null;
  /** Batches a crash or a kill left unfinished (this app's or the CLI's), found at start. */
  interrupted: InterruptedBatch[] = [];
  private view: SignView | null = null;
  private readonly unlisten: Promise<UnlistenFn>[] = [];

  constructor() {
    this.unlisten.push(
      ipc.onProgress((p) => {
        this.queue.apply(p);
        this.view?.refresh();
      }),
      ipc.onFinished((s) => {
        this.running = false;
        this.summary = s;
        this.queue.failedFirst();
        this.view?.refresh();
      }),
      ipc.onOpenFiles((paths) => void this.addPaths(paths)),
    );
    // Without events the window still works (files can still be added); say why in the console.
    for (const p of this.unlisten) p.catch((e: unknown) => console.error('event listener not registered', e));
    void this.findInterrupted();
  }

  async findInterrupted(): Promise<void> {
    try {
      this.interrupted = (await ipc.interruptedBatches()) ?? [];
    } catch (e) {
      this.view?.context.showError(e);
    }
    this.view?.refresh();
  }

  /** Finishes an interrupted batch; its documents take the list, progress as for a new batch. */
  async resume(batch: InterruptedBatch): Promise<void> {
    if (this.running) return;
    this.queue.loadBatch(batch.documents);
    this.running = true;
    this.summary = null;
    this.interrupted = this.interrupted.filter((b) => b.batchId !== batch.batchId);
    this.view?.refresh();
    try {
      await ipc.resumeBatch(batch.batchId);
    } catch (e) {
      this.running = false;
      this.interrupted.unshift(batch);
      this.view?.refresh();
      this.view?.context.showError(e);
    }
  }

  attach(view: SignView | null): void {
    this.view = view;
  }

  add(intake: Intake): void {
    this.queue.add(intake);
    this.summary = null;
    this.view?.refresh();
  }

  async addPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      this.add(await ipc.takeInPaths(paths));
    } catch (e) {
      this.view?.context.showError(e);
    }
  }

  async sign(): Promise<void> {
    if (this.running || this.queue.waiting().length === 0) return;
    const paths = this.queue.startBatch();
    this.running = true;
    this.summary = null;
    this.view?.refresh();
    try {
      const placements = this.placement.active() ? await this.placement.resolve(paths, openListedPdf) : [];
      await ipc.startSigning(paths, placements);
    } catch (e) {
      this.running = false;
      this.view?.refresh();
      this.view?.context.showError(e);
    }
  }
}

export class SignView {
  readonly element: HTMLElement;
  private readonly list: FileList;
  private readonly bar: HTMLElement;
  private readonly dropZone: HTMLElement;
  private readonly interruptedNotice: HTMLElement;

  constructor(
    readonly context: SignViewContext,
    private readonly controller: SignController,
  ) {
    const t = context.t;
    this.list = new FileList(t, { showInFolder: (p) => void ipc.showInFolder(p).catch(context.showError) });
    this.dropZone = this.buildDropZone();
    this.bar = h('div', { class: 'sign-bar', id: 'sign-bar' });
    this.interruptedNotice = h('div', { id: 'interrupted-slot' });
    const listSection = h(
      'section',
      { class: 'files', 'aria-label': t.list.title(0) },
      this.list.element,
    );
    this.element = h(
      'div',
      { class: 'sign-view' },
      !context.environment.hasCredentials && this.noCredentials(),
      this.interruptedNotice,
      this.dropZone,
      this.options(),
      listSection,
      this.bar,
    );
    controller.attach(this);
    this.refresh();
  }

  private noCredentials(): HTMLElement {
    const t = this.context.t;
    const name = t.environment.names[this.context.environment.kind];
    const link = h('button', { type: 'button', class: 'button', id: 'open-credentials' }, icon('gear'), t.environment.openSettings(name));
    link.addEventListener('click', () => this.context.openSettings(this.context.environment.id));
    return h('div', { class: 'alert', id: 'no-credentials', role: 'status' }, icon('warning', 'icon icon--alert'),
      h('div', {}, h('p', { class: 'alert__title' }, t.environment.noCredentials(name)), link));
  }

  private buildDropZone(): HTMLElement {
    const t = this.context.t;
    const add = (id: string, iconName: 'file' | 'folder', label: string, pick: () => Promise<Intake>) => {
      const b = h('button', { type: 'button', class: 'button', id }, icon(iconName), label);
      b.addEventListener('click', () => {
        pick().then((intake) => this.controller.add(intake), this.context.showError);
      });
      return b;
    };
    return h(
      'section',
      { class: 'drop-zone', id: 'drop-zone', 'aria-labelledby': 'drop-zone-title' },
      icon('documentIn', 'icon icon--drop'),
      h('h1', { class: 'drop-zone__title', id: 'drop-zone-title' }, t.dropZone.title),
      h('p', { class: 'drop-zone__over', id: 'drop-zone-over', 'aria-hidden': 'true' }, t.dropZone.dragOver),
      h(
        'div',
        { class: 'drop-zone__actions' },
        add('add-files', 'file', t.dropZone.addFiles, ipc.pickFiles),
        add('add-folder', 'folder', t.dropZone.addFolder, ipc.pickFolder),
      ),
      this.context.environment.kind === 'sandbox' && h('p', { class: 'drop-zone__note' }, t.dropZone.firstRun),
    );
  }

  /** Is a drop at this window position (CSS pixels) on the drop zone or the list? */
  hit(x: number, y: number): boolean {
    return [this.dropZone, this.list.element].some((el) => {
      const r = el.getBoundingClientRect();
      return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
    });
  }

  setDragOver(over: boolean): void {
    this.dropZone.classList.toggle('drop-zone--over', over);
  }

  private options(): HTMLElement {
    const t = this.context.t.options;
    const sig = { ...this.context.signature };
    const changed = () => this.context.onSignatureChange({ ...sig });
    const text = (id: string, label: string, key: 'reason' | 'location' | 'template') => {
      const input = h('input', { type: 'text', id, value: sig[key] });
      input.addEventListener('change', () => {
        sig[key] = input.value;
        changed();
      });
      return h('label', { class: 'field' }, h('span', {}, label), input);
    };
    const check = (id: string, label: string, key: 'timestamp' | 'visible', after?: () => void) => {
      const input = h('input', { type: 'checkbox', id, checked: sig[key] });
      input.addEventListener('change', () => {
        sig[key] = input.checked;
        after?.();
        changed();
      });
      return h('label', { class: 'check' }, input, h('span', {}, label));
    };
    const num = (id: string, label: string, key: 'page' | 'x' | 'y') => {
      const input = h('input', { type: 'number', id, min: '0', value: String(sig[key]) });
      input.addEventListener('change', () => {
        const v = Number(input.value);
        if (Number.isFinite(v) && v >= 0) {
          sig[key] = key === 'page' ? Math.max(1, Math.round(v)) : v;
          changed();
        }
      });
      return h('label', { class: 'field field--narrow' }, h('span', {}, label), input);
    };
    const placement = h('select', { id: 'option-placement' });
    for (const p of PLACEMENTS) placement.append(h('option', { value: p, selected: p === sig.placement }, t.placements[p]));
    const coords = h('div', { class: 'options__coords' }, num('option-x', t.x, 'x'), num('option-y', t.y, 'y'));
    const visibleFields = h(
      'div',
      { class: 'options__visible' },
      h('label', { class: 'field' }, h('span', {}, t.placement), placement),
      num('option-page', t.page, 'page'),
      coords,
      text('option-template', t.template, 'template'),
    );
    const sync = () => {
      visibleFields.hidden = !sig.visible;
      coords.hidden = sig.placement !== 'coordinates';
    };
    placement.addEventListener('change', () => {
      sig.placement = placement.value as Placement;
      sync();
      changed();
    });
    sync();
    return h(
      'details',
      { class: 'options', id: 'options' },
      h('summary', {}, icon('pen'), t.title),
      h('p', { class: 'options__types' }, t.types),
      h(
        'div',
        { class: 'options__row' },
        text('option-reason', t.reason, 'reason'),
        text('option-location', t.location, 'location'),
        check('option-timestamp', t.timestamp, 'timestamp'),
        check('option-visible', t.visible, 'visible', sync),
      ),
      visibleFields,
      placementPanel({
        t: this.context.t,
        state: this.controller.placement,
        pdfs: () => this.controller.queue.rows.filter((r) => r.kind === 'pdf').map((r) => r.path),
        showError: this.context.showError,
      }),
    );
  }

  refresh(): void {
    // Once files are in, the drop zone shrinks to a strip and the list gets the room.
    this.dropZone.classList.toggle('drop-zone--compact', this.controller.queue.rows.length > 0);
    this.list.update(this.controller.queue.rows);
    this.renderInterrupted();
    this.renderBar();
  }

  private renderInterrupted(): void {
    const t = this.context.t;
    const batch = this.controller.running ? undefined : this.controller.interrupted[0];
    if (!batch) {
      this.interruptedNotice.replaceChildren();
      return;
    }
    const resume = h('button', { type: 'button', class: 'button button--primary', id: 'resume' }, t.resume.resume);
    resume.addEventListener('click', () => void this.controller.resume(batch));
    this.interruptedNotice.replaceChildren(
      h('div', { class: 'alert', id: 'interrupted', role: 'status', 'data-batch': String(batch.batchId) }, icon('warning', 'icon icon--alert'),
        h('div', {}, h('p', { class: 'alert__title', id: 'interrupted-text' }, t.resume.interrupted(batch.unfinished, batch.documents.length)), resume)),
    );
  }

  private renderBar(): void {
    const t = this.context.t;
    const { queue, running, summary } = this.controller;
    const counts = queue.counts();
    const waiting = queue.waiting().length;
    const envName = t.environment.names[this.context.environment.kind];
    const button = (id: string, label: string, onClick: () => void, primary = false) => {
      const b = h('button', { type: 'button', class: primary ? 'button button--primary' : 'button', id }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const progress = h('progress', { id: 'progress', max: String(Math.max(1, counts.total)), value: String(counts.signed + counts.failed) });
    // Row 1 (after a batch): what happened and where to look. Row 2: progress and the action.
    const outcome: HTMLElement[] = [];
    if (summary && !running) {
      outcome.push(h('p', { class: 'sign-bar__summary', id: 'summary', role: 'status' }, summary.cancelled ? t.progress.cancelled : t.progress.finished(summary.signed, summary.failed)));
      const folder = summary.outputFolders[0];
      if (folder) outcome.push(button('open-output', t.progress.openOutput, () => void ipc.openFolder(folder).catch(this.context.showError)));
      outcome.push(button('see-history', t.progress.seeHistory, () => this.context.openHistory()));
      if (summary.failed > 0) {
        outcome.push(button('retry-failed', t.progress.retryFailed, () => {
          queue.retryFailed();
          this.controller.summary = null;
          void this.controller.sign();
        }));
      }
    }
    const action: HTMLElement[] = [
      h('div', { class: 'sign-bar__progress' }, progress, h('p', { id: 'progress-counts', 'aria-live': 'polite' }, t.progress.counts(counts.signed, counts.total, counts.failed))),
    ];
    if (running) {
      action.push(button('cancel', t.progress.cancel, () => void ipc.cancelSigning().catch(this.context.showError)));
    } else if (queue.rows.length > 0) {
      action.push(button('clear-list', t.list.clear, () => {
        queue.clear();
        this.controller.summary = null;
        this.refresh();
      }));
    }
    const sign = button('sign', t.progress.sign(waiting, envName), () => void this.controller.sign(), true);
    if (running || waiting === 0 || !this.context.environment.hasCredentials) sign.setAttribute('disabled', '');
    action.push(sign);
    this.bar.replaceChildren(
      ...(outcome.length > 0 ? [h('div', { class: 'sign-bar__row' }, ...outcome)] : []),
      h('div', { class: 'sign-bar__row' }, ...action),
    );
  }

  setMessages(t: Messages): void {
    this.list.setMessages(t);
  }
}

/** Native drag and drop: paths come from Tauri; the position is hit-tested against the view. */
export function listenForDrops(getView: () => SignView | null, controller: SignController): void {
  let webview;
  try {
    webview = getCurrentWebview();
  } catch {
    return; // not inside Tauri (unit tests)
  }
  webview.onDragDropEvent((event) => {
    const view = getView();
    if (!view) return;
    const p = event.payload;
    const at = (pos: { x: number; y: number }) => view.hit(pos.x / devicePixelRatio, pos.y / devicePixelRatio);
    if (p.type === 'enter' || p.type === 'over') view.setDragOver(at(p.position));
    else if (p.type === 'leave') view.setDragOver(false);
    else if (p.type === 'drop') {
      view.setDragOver(false);
      if (at(p.position)) void controller.addPaths(p.paths);
    }
  }).catch((e: unknown) => console.error('drag and drop not available', e));
}
