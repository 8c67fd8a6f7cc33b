// Settings for admins: one tab per environment (client id, write-only secret, addresses, Test
// connection) and a General tab (output, naming, parallel requests, language).
import type { EnvironmentSettings } from '../lib/bindings/EnvironmentSettings';
import type { Settings } from '../lib/bindings/Settings';
import type { SettingsView as View } from '../lib/bindings/SettingsView';
import * as ipc from '../lib/ipc';
import { h } from '../dom';
import { icon } from '../icons';
import type { Language, Messages } from '../i18n';
import { caRow, NetworkSection, renderSteps } from './network-section';

export interface SettingsContext {
  t: Messages;
  /** Tab to open: an environment id or "general". */
  tab: string;
  onTab(tab: string): void;
  /** After anything saved: the app reloads its environment info. */
  onSaved(settings: Settings): void;
  showError(error: unknown): void;
}

const PRESET_HOSTS: Record<string, string> = {
  staging: 'https://staging.must.digital',
  production: 'https://msignstash.multicert.com',
};

/** The name the pattern gives an example invoice, as the core's writer would. */
export function exampleName(pattern: string, original = 'FT 2026-0001.pdf'): string {
  const dot = original.lastIndexOf('.');
  const stem = dot > 0 ? original.slice(0, dot) : original;
  const ext = dot > 0 ? original.slice(dot + 1) : '';
  return pattern.replaceAll('{stem}', stem).replaceAll('{ext}', ext).replaceAll('{name}', original);
}

export class SettingsPanel {
  readonly element: HTMLElement;
  private view: View | null = null;
  private status: HTMLElement;
  /** The open tab: the panel outlives the app's re-renders, so it keeps its own. */
  private tab: string;

  constructor(private readonly context: SettingsContext) {
    this.tab = context.tab;
    this.status = h('p', { class: 'form-status', id: 'settings-status', role: 'status', 'aria-live': 'polite' });
    this.element = h('div', { class: 'settings', id: 'settings' }, h('p', {}, '…'));
  }

  async load(): Promise<void> {
    try {
      this.view = await ipc.getSettings();
      this.render();
    } catch (e) {
      this.context.showError(e);
    }
  }

  private say(text: string, ok = true): void {
    this.status.textContent = text;
    this.status.className = ok ? 'form-status form-status--ok' : 'form-status form-status--error';
  }

  private sayError(e: unknown): void {
    const f = ipc.toCommandFailure(e);
    const t = this.context.t;
    this.say(`${f.message || t.errors.codes[f.code] || t.errors.unknown} (${f.code})`, false);
  }

  private async persist(next: Settings): Promise<void> {
    try {
      this.view = await ipc.saveSettings(next);
      this.render();
      this.say(this.context.t.settings.saved);
      this.context.onSaved(this.view.settings);
    } catch (e) {
      this.sayError(e);
    }
  }

  render(): void {
    const view = this.view;
    if (!view) return;
    const t = this.context.t;
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t.settings.title });
    const ids = [...view.settings.environments.map((e) => e.id), 'general', 'network'];
    for (const id of ids) {
      const env = view.settings.environments.find((e) => e.id === id);
      const label = env ? t.environment.names[env.kind] : id === 'network' ? t.network.tab : t.settings.general;
      const tab = h('button', { type: 'button', role: 'tab', class: `tab${env ? ` tab--${env.kind}` : ''}`, id: `tab-${id}`, 'aria-selected': String(id === this.tab), 'aria-controls': 'settings-tabpanel', tabindex: id === this.tab ? '0' : '-1' }, label);
      const select = (next: string) => {
        this.tab = next;
        this.context.onTab(next);
        this.status.textContent = '';
        this.render();
        document.getElementById(`tab-${next}`)?.focus();
      };
      tab.addEventListener('click', () => select(id));
      // The ARIA tabs pattern: arrows move between tabs (and show them), Tab goes into the panel.
      tab.addEventListener('keydown', (e) => {
        const at = ids.indexOf(id);
        const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[e.key];
        if (next === undefined) return;
        e.preventDefault();
        select(ids[(next + ids.length) % ids.length]!);
      });
      tabs.append(tab);
    }
    const env = view.settings.environments.find((e) => e.id === this.tab);
    const body = env ? this.environmentForm(view, env) : this.tab === 'network' ? this.networkForm() : this.generalForm(view.settings);
    // The status line sits above the form so a result is never scrolled out of sight.
    this.element.replaceChildren(h('h1', { class: 'view-title' }, t.settings.title), tabs, this.status, h('div', { class: 'tab-panel', role: 'tabpanel', id: 'settings-tabpanel', 'aria-labelledby': `tab-${this.tab}` }, body));
  }

  private environmentForm(view: View, env: EnvironmentSettings): HTMLElement {
    const t = this.context.t.settings;
    const secret = view.secrets.find((s) => s.environmentId === env.id);
    const builtIn = secret?.builtIn ?? false;
    const draft = { ...env };
    const field = (id: string, label: string, value: string, type = 'text', disabled = false) => {
      const input = h('input', { type, id, value, disabled, autocomplete: 'off', spellcheck: 'false' });
      return { input, label: h('label', { class: 'field field--wide' }, h('span', {}, label), input) };
    };
    const clientId = field('client-id', t.clientId, env.clientId, 'text', builtIn);
    const tokenUrl = field('token-url', t.tokenUrl, builtIn ? '' : env.tokenUrl, 'url', builtIn);
    const apiBase = field('api-base', t.apiBase, builtIn ? '' : env.apiBase, 'url', builtIn);
    const secretInput = field('client-secret', t.secret, '', 'password', builtIn);
    const read = (): EnvironmentSettings => ({
      ...draft,
      clientId: clientId.input.value.trim(),
      tokenUrl: tokenUrl.input.value.trim(),
      apiBase: apiBase.input.value.trim(),
    });
    const withEnv = (e: EnvironmentSettings): Settings => ({
      ...view.settings,
      environments: view.settings.environments.map((x) => (x.id === e.id ? e : x)),
    });

    const button = (id: string, label: string, onClick: () => void, primary = false) => {
      const b = h('button', { type: 'button', class: primary ? 'button button--primary' : 'button', id }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const secretState = h(
      'p',
      { class: `secret-state${secret?.saved ? ' secret-state--saved' : ''}`, id: 'secret-state' },
      icon(secret?.saved || builtIn ? 'check' : 'warning'),
      builtIn ? t.secretBuiltIn : secret?.saved ? t.secretSaved : t.secretMissing,
    );
    const saveCredentials = async () => {
      const value = secretInput.input.value;
      try {
        // Addresses first (validated), then the secret into the keyring.
        const e = read();
        this.view = await ipc.saveSettings(withEnv(e));
        if (value) this.view = await ipc.saveSecret(e.id, e.clientId, value);
        secretInput.input.value = '';
        this.render();
        this.say(this.context.t.settings.saved);
        this.context.onSaved(this.view.settings);
      } catch (err) {
        this.sayError(err);
      }
    };
    const steps = h('ol', { class: 'steps', id: 'connection-steps' });
    const test = async () => {
      this.say(t.testing);
      steps.replaceChildren();
      try {
        const check = await ipc.testConnection(read(), secretInput.input.value || null);
        renderSteps(this.context.t, check, steps);
        const failed = check.steps.find((s) => s.outcome === 'failed');
        if (check.passed || !failed) this.say(t.testOk);
        else this.say(`${failed.message ?? t.testFailed} (${failed.code ?? 'unknown'})`, false);
      } catch (err) {
        this.sayError(err);
      }
    };
    const actions = h('div', { class: 'form-actions' });
    if (!builtIn) {
      actions.append(button('save-credentials', secret?.saved ? t.replaceSecret : t.saveSecret, () => void saveCredentials(), true));
      if (secret?.saved) {
        actions.append(
          button('delete-secret', t.deleteSecret, async () => {
            try {
              this.view = await ipc.deleteSecret(env.id);
              this.render();
              this.context.onSaved(this.view.settings);
            } catch (err) {
              this.sayError(err);
            }
          }),
        );
      }
      const host = PRESET_HOSTS[env.kind];
      if (host) {
        actions.append(
          button('reset-presets', t.resetPresets, () => {
            tokenUrl.input.value = `${host}/oauth2/authorization-server/oauth/token`;
            apiBase.input.value = `${host}/signstash/einvoice-integration-ws/`;
          }),
        );
      }
    }
    actions.append(button('test-connection', t.testConnection, () => void test()));
    return h(
      'div',
      { class: 'environment-settings' },
      h(
        'form',
        { class: 'form', id: `form-${env.id}`, autocomplete: 'off' },
        clientId.label,
        h('div', { class: 'field field--wide' }, secretInput.label, secretState),
        tokenUrl.label,
        apiBase.label,
        ...(builtIn ? [] : [caRow({ t: this.context.t, say: (text, ok) => this.say(text, ok) }, env, (v) => {
          this.view = v;
          this.render();
          this.context.onSaved(v.settings);
        })]),
        actions,
      ),
      steps,
    );
  }

  private networkForm(): HTMLElement {
    const section = new NetworkSection({ t: this.context.t, say: (text, ok) => this.say(text, ok) });
    void section.load();
    return section.element;
  }

  private generalForm(settings: Settings): HTMLElement {
    const t = this.context.t.settings;
    const out = { ...settings.output };
    const radio = (value: 'beside' | 'folder', label: string) => {
      const input = h('input', { type: 'radio', name: 'output-mode', id: `output-mode-${value}`, value, checked: out.mode === value });
      input.addEventListener('change', () => {
        out.mode = value;
        folderRow.hidden = value !== 'folder';
      });
      return h('label', { class: 'check' }, input, h('span', {}, label));
    };
    const folder = h('input', { type: 'text', id: 'output-folder', value: out.folder ?? '' });
    const choose = h('button', { type: 'button', class: 'button', id: 'choose-folder' }, icon('folder'), t.chooseFolder);
    choose.addEventListener('click', () => {
      ipc.chooseFolder().then((f) => {
        if (f) folder.value = f;
      }, this.context.showError);
    });
    const folderRow = h('div', { class: 'field-row' }, folder, choose);
    folderRow.hidden = out.mode !== 'folder';
    const pattern = h('input', { type: 'text', id: 'name-pattern', value: out.namePattern });
    const example = h('p', { class: 'field__hint', id: 'name-example' }, t.example(exampleName(out.namePattern)));
    pattern.addEventListener('input', () => {
      example.textContent = t.example(exampleName(pattern.value));
    });
    const parallel = h('input', { type: 'number', id: 'parallel', min: '1', max: '8', value: String(settings.parallelRequests) });
    const language = h('select', { id: 'settings-language' });
    for (const [value, label] of [['pt', 'Português'], ['en', 'English']] as [Language, string][]) {
      language.append(h('option', { value, selected: (settings.language ?? 'pt') === value }, label));
    }
    const save = h('button', { type: 'button', class: 'button button--primary', id: 'save-general' }, t.save);
    save.addEventListener('click', () => {
      void this.persist({
        ...settings,
        output: { mode: out.mode, folder: folder.value.trim() || null, namePattern: pattern.value },
        parallelRequests: Math.round(Number(parallel.value)),
        language: language.value,
      });
    });
    return h(
      'form',
      { class: 'form', id: 'form-general' },
      h('fieldset', {}, h('legend', {}, t.outputMode), radio('beside', t.outputBeside), radio('folder', t.outputFolder), folderRow),
      h('label', { class: 'field field--wide' }, h('span', {}, t.namePattern), pattern),
      example,
      h('label', { class: 'field field--narrow' }, h('span', {}, t.parallel), parallel),
      h('label', { class: 'field field--narrow' }, h('span', {}, t.language), language),
      h('div', { class: 'form-actions' }, save),
    );
  }
}
