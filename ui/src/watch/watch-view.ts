// The watch folder panel: three folders (chosen through native dialogs in Rust), an on/off switch,
// the live status and the last activity. Updates arrive as events (`watch-changed`), not polling;
// the status line is a polite live region so a screen reader hears what happened.
import type { UnlistenFn } from '@tauri-apps/api/event';
import type { Activity } from '../lib/bindings/Activity';
import type { CommandError } from '../lib/bindings/CommandError';
import type { WatchView } from '../lib/bindings/WatchView';
import * as ipc from '../lib/ipc';
import { toCommandFailure } from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import type { Messages } from '../i18n';

export interface WatchPanelContext {
  t: Messages;
  /** Name of the environment the watch signs in (the app's current one). */
  environmentName: string;
  showError(error: unknown): void;
}

type FolderKey = 'input' | 'output' | 'backup';

export class WatchPanel {
  readonly element: HTMLElement;
  private view: WatchView | null = null;
  private localError: string | null = null;
  private readonly unlisten: Promise<UnlistenFn>;

  constructor(private readonly context: WatchPanelContext) {
    this.element = h('section', { class: 'watch', id: 'watch', 'aria-labelledby': 'watch-title' });
    this.unlisten = ipc.onWatchChanged((v) => {
      if (this.take(v)) this.render();
    });
    this.unlisten.catch((e: unknown) => console.error('watch events not registered', e));
    this.render();
  }

  /**
   * Keeps `v` unless a newer view is already shown: a command's answer may arrive after a
   * status event the watch sent later (then the answer is stale and no new event would follow).
   */
  private take(v: WatchView): boolean {
    if (this.view && v.revision < this.view.revision) return false;
    this.view = v;
    return true;
  }

  /** Stops listening (the panel is being replaced). */
  dispose(): void {
    void this.unlisten.then((f) => f()).catch(() => undefined);
  }

  async load(): Promise<void> {
    try {
      this.take(await ipc.getWatch());
    } catch (e) {
      this.context.showError(e);
    }
    this.render();
  }

  private async choose(key: FolderKey): Promise<void> {
    const v = this.view;
    if (!v) return;
    try {
      const chosen = await ipc.chooseFolder();
      if (chosen === null) return;
      const f = { ...v.folders, [key]: chosen };
      this.take(await ipc.setWatchFolders(f.input, f.output, f.backup));
      this.localError = null;
      this.render();
      document.getElementById(`watch-choose-${key}`)?.focus();
    } catch (e) {
      this.context.showError(e);
    }
  }

  private async toggle(on: boolean): Promise<void> {
    try {
      this.take(await ipc.setWatchEnabled(on));
      this.localError = null;
    } catch (e) {
      const failure = toCommandFailure(e);
      this.localError = failure.code === 'watch.not_configured' ? this.context.t.watch.notConfigured : failure.message || this.context.t.errors.codes[failure.code] || this.context.t.errors.unknown;
    }
    this.render();
    document.getElementById('watch-toggle')?.focus();
  }

  render(): void {
    // Status events re-render the panel: keyboard focus must stay where it was.
    const focusedId = this.element.contains(document.activeElement) ? document.activeElement?.id : undefined;
    const t = this.context.t.watch;
    const v = this.view;
    const folder = (key: FolderKey, label: string) => {
      const path = v?.folders[key] ?? null;
      // Short on screen; the full name ("Choose the input folder") for screen readers.
      const button = h('button', { type: 'button', class: 'button', id: `watch-choose-${key}`, 'aria-label': t.choose(label), 'aria-describedby': `watch-${key}-path` }, icon('folder'), t.chooseShort);
      button.addEventListener('click', () => void this.choose(key));
      return h(
        'div',
        { class: 'watch__folder' },
        h('p', { class: 'watch__label', id: `watch-${key}-label` }, label),
        h('p', { class: `watch__path${path ? '' : ' watch__path--empty'}`, id: `watch-${key}-path` }, path ?? t.notChosen),
        button,
      );
    };
    const enabled = v?.folders.enabled ?? false;
    // A switch: native checkbox semantics plus role=switch, so "on/off" is announced.
    const toggle = h('input', { type: 'checkbox', role: 'switch', id: 'watch-toggle', checked: enabled, disabled: !v, 'aria-describedby': 'watch-status' });
    toggle.addEventListener('change', () => void this.toggle(toggle.checked));
    const status = v?.status;
    const error: CommandError | null = v?.error ?? null;
    const statusText = !v ? '' : enabled && status ? `${t.phase[v.running ? status.phase : 'stopped']} · ${t.counts(status.signed, status.failed, status.waiting)}` : t.off;
    const parts: (Node | null | false)[] = [
      h('h1', { class: 'view-title', id: 'watch-title' }, t.title),
      h('p', { class: 'watch__intro' }, t.intro),
      h('div', { class: 'watch__folders' }, folder('input', t.input), folder('output', t.output), folder('backup', t.backup)),
      h('p', { class: 'watch__options' }, t.options(this.context.environmentName)),
      h(
        'div',
        { class: 'watch__switch' },
        h('label', { class: 'check check--switch', for: 'watch-toggle' }, toggle, h('span', {}, t.toggle), h('span', { class: 'watch__state', id: 'watch-state' }, enabled ? t.on : t.off)),
      ),
      h('p', { class: 'watch__status', id: 'watch-status', role: 'status', 'aria-live': 'polite', 'data-phase': v?.running ? status?.phase ?? '' : 'stopped' }, statusText),
      (this.localError !== null || error !== null) && h('div', { class: 'alert', id: 'watch-error', role: 'alert' }, icon('warning', 'icon icon--alert'), h('div', {}, h('p', { class: 'alert__title' }, t.stoppedBy), h('p', { class: 'alert__message' }, this.localError ?? error?.message ?? ''), error !== null && this.localError === null && h('p', { class: 'alert__detail' }, this.context.t.errors.detail(error.code, error.detail)))),
      status?.problem ? h('p', { class: 'watch__problem', id: 'watch-problem', role: 'alert' }, `${t.problem}: ${status.problem}`) : null,
      h('h2', { class: 'watch__subtitle' }, t.lastActivity),
      h('p', { class: 'watch__activity', id: 'watch-last-activity' }, status?.lastActivity ? describeActivity(status.lastActivity, this.context.t) : t.none),
    ];
    this.element.replaceChildren(...parts.filter((p): p is Node => p instanceof Node));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }
}

export function describeActivity(a: Activity, t: Messages): string {
  const when = new Date(a.atMs).toLocaleTimeString(t.locale);
  switch (a.outcome) {
    case 'signed':
      return `${when} — ${t.watch.signed(a.file, a.output)}`;
    case 'recovered':
      return `${when} — ${t.watch.recovered(a.file, a.output)}`;
    case 'failed':
      // The list's own words for a file that is no invoice, else the sentence from Rust.
      return `${when} — ${t.watch.failed(a.file, t.watch.codes[a.code] ?? t.list.rejected[a.code] ?? a.message)}`;
  }
}
