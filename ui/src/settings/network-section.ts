// The settings' Network tab (one proxy for the whole app, its login write-only into the OS
// keyring, Diagnose and Export diagnostics), the per-environment extra CA row, and the list of
// the doctor's steps (timed, with the likely fix) shared with Test connection.
import type { ConnectionCheck } from '../lib/bindings/ConnectionCheck';
import type { EnvironmentSettings } from '../lib/bindings/EnvironmentSettings';
import type { NetworkView } from '../lib/bindings/NetworkView';
import type { ProxyMode } from '../lib/bindings/ProxyMode';
import type { SettingsView } from '../lib/bindings/SettingsView';
import * as ipc from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import type { Messages } from '../i18n';

export interface NetworkContext {
  t: Messages;
  /** Writes the status line above the form. */
  say(text: string, ok?: boolean): void;
}

/** Plain words for a failed command: Rust's, else ours for the code. */
export function failureText(t: Messages, e: unknown): string {
  const f = ipc.toCommandFailure(e);
  return `${f.message || t.network.errors[f.code] || t.errors.codes[f.code] || t.errors.unknown} (${f.code})`;
}

/** The doctor's steps: title, time taken, and what was found or, for a failed step, what to do. */
export function renderSteps(t: Messages, check: ConnectionCheck, into: HTMLElement): void {
  for (const s of check.steps) {
    const mark = s.outcome === 'passed' ? 'check' : s.outcome === 'failed' ? 'cross' : 'hourglass';
    into.append(
      h(
        'li',
        { class: `step step--${s.outcome}`, 'data-outcome': s.outcome },
        icon(mark),
        h('span', { class: 'step__title' }, s.title),
        h('span', { class: 'step__time' }, s.outcome === 'skipped' ? '' : t.network.elapsed(s.elapsedMs)),
        h('span', { class: 'step__detail' }, s.outcome === 'failed' ? (s.message ?? '') : s.outcome === 'passed' ? s.detail : ''),
      ),
    );
  }
}

/** The extra CA row of an environment's form. `onChanged` gets the new settings view. */
export function caRow(context: NetworkContext, env: EnvironmentSettings, onChanged: (view: SettingsView) => void): HTMLElement {
  const t = context.t.network;
  const ca = env.extraCaCertificate;
  const state = h('p', { class: 'field__hint', id: 'ca-state' }, ca ? t.caSet(ca.fileName, ca.subjects.join('; ')) : t.caNone);
  const choose = h('button', { type: 'button', class: 'button', id: 'choose-ca' }, t.chooseCa);
  choose.addEventListener('click', () => {
    ipc.chooseCaCertificate(env.id).then(
      (view) => {
        if (!view) return;
        onChanged(view);
        context.say(t.caChosen);
      },
      (e) => context.say(failureText(context.t, e), false),
    );
  });
  const actions = h('div', { class: 'field-row' }, choose);
  if (ca) {
    const remove = h('button', { type: 'button', class: 'button', id: 'remove-ca' }, t.removeCa);
    remove.addEventListener('click', () => {
      ipc.removeCaCertificate(env.id).then(onChanged, (e) => context.say(failureText(context.t, e), false));
    });
    actions.append(remove);
  }
  return h('div', { class: 'field field--wide', id: 'extra-ca' }, h('span', {}, t.caTitle), state, actions);
}

export class NetworkSection {
  readonly element: HTMLElement;
  private view: NetworkView | null = null;

  constructor(private readonly context: NetworkContext) {
    this.element = h('div', { class: 'network-settings', id: 'network-settings' }, h('p', {}, '…'));
  }

  async load(): Promise<void> {
    try {
      this.view = await ipc.getNetwork();
      this.render();
    } catch (e) {
      this.context.say(failureText(this.context.t, e), false);
    }
  }

  private fail(e: unknown): void {
    this.context.say(failureText(this.context.t, e), false);
  }

  render(): void {
    const view = this.view;
    if (!view) return;
    const t = this.context.t.network;
    let mode: ProxyMode = view.network.proxy;
    const address = h('input', { type: 'text', id: 'proxy-address', value: view.network.proxyAddress, autocomplete: 'off', spellcheck: 'false', placeholder: 'proxy.empresa.pt:3128' });
    const user = h('input', { type: 'text', id: 'proxy-user', value: view.proxyUser ?? '', autocomplete: 'off', spellcheck: 'false' });
    // Write-only: never filled from Rust, emptied once saved.
    const password = h('input', { type: 'password', id: 'proxy-password', value: '', autocomplete: 'new-password' });
    const manual = h(
      'div',
      { class: 'proxy-manual', id: 'proxy-manual' },
      h('label', { class: 'field field--wide' }, h('span', {}, t.proxyAddress), address, h('span', { class: 'field__hint' }, t.proxyAddressHint)),
      h('label', { class: 'field' }, h('span', {}, t.proxyUser), user),
      h(
        'div',
        { class: 'field' },
        h('label', {}, h('span', {}, t.proxyPassword), password),
        h(
          'p',
          { class: `secret-state${view.proxyUser ? ' secret-state--saved' : ''}`, id: 'proxy-login-state' },
          icon(view.proxyUser ? 'check' : 'warning'),
          view.proxyUser ? t.proxyLoginSaved(view.proxyUser) : t.proxyLoginMissing,
        ),
      ),
    );
    manual.hidden = mode !== 'manual';
    const radio = (value: ProxyMode, label: string, hint?: string) => {
      const input = h('input', { type: 'radio', name: 'proxy-mode', id: `proxy-mode-${value}`, value, checked: mode === value });
      input.addEventListener('change', () => {
        mode = value;
        manual.hidden = value !== 'manual';
      });
      return h('label', { class: 'check' }, input, h('span', {}, label), hint ? h('span', { class: 'field__hint', id: 'system-proxy' }, hint) : '');
    };
    const button = (id: string, label: string, onClick: () => void, primary = false) => {
      const b = h('button', { type: 'button', class: primary ? 'button button--primary' : 'button', id }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const save = async () => {
      try {
        this.view = await ipc.saveNetwork({ proxy: mode, proxyAddress: address.value.trim() });
        if (mode === 'manual' && password.value) this.view = await ipc.saveProxyLogin(user.value.trim(), password.value);
        password.value = '';
        this.render();
        this.context.say(this.context.t.settings.saved);
      } catch (e) {
        this.fail(e);
      }
    };
    const proxyActions = h('div', { class: 'form-actions' }, button('save-proxy', t.saveProxy, () => void save(), true));
    if (view.proxyUser) {
      proxyActions.append(
        button('delete-proxy-login', t.deleteProxyLogin, async () => {
          try {
            this.view = await ipc.deleteProxyLogin();
            this.render();
          } catch (e) {
            this.fail(e);
          }
        }),
      );
    }

    const results = h('div', { class: 'diagnosis', id: 'diagnosis' });
    const runDiagnose = async () => {
      this.context.say(t.diagnosing);
      results.replaceChildren();
      try {
        const checks = await ipc.diagnose();
        if (checks.length === 0) {
          this.context.say(t.diagnoseNone, false);
          return;
        }
        for (const c of checks) {
          const steps = h('ol', { class: 'steps', 'data-environment': c.environmentId });
          renderSteps(this.context.t, c.check, steps);
          const label = this.context.t.environment.names[c.environmentId as keyof Messages['environment']['names']] ?? c.environmentId;
          results.append(h('h3', { class: 'diagnosis__env' }, label), steps);
        }
        const failed = checks.flatMap((c) => c.check.steps).find((s) => s.outcome === 'failed');
        if (failed) this.context.say(`${failed.message ?? t.diagnoseFailed} (${failed.code ?? 'unknown'})`, false);
        else this.context.say(t.diagnoseOk);
      } catch (e) {
        this.fail(e);
      }
    };
    const runExport = async () => {
      this.context.say(t.exporting);
      try {
        const done = await ipc.exportDiagnostics();
        if (done) this.context.say(t.exported(done.path));
        else this.context.say('');
      } catch (e) {
        this.fail(e);
      }
    };

    this.element.replaceChildren(
      h(
        'form',
        { class: 'form', id: 'form-network', autocomplete: 'off' },
        h(
          'fieldset',
          {},
          h('legend', {}, t.proxyTitle),
          radio('system', t.proxySystem, t.proxySystemNow(view.systemProxy)),
          radio('none', t.proxyNone),
          radio('manual', t.proxyManual),
          manual,
        ),
        proxyActions,
      ),
      h(
        'section',
        { class: 'form' },
        h('h2', { class: 'form__title' }, t.diagnoseTitle),
        h('p', { class: 'field__hint' }, t.diagnoseHint),
        h('div', { class: 'form-actions' }, button('diagnose', t.diagnose, () => void runDiagnose(), true), button('export-diagnostics', t.exportDiagnostics, () => void runExport())),
        results,
      ),
    );
  }
}
