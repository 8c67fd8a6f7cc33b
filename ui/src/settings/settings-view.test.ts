import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../lib/bindings/Settings';
import type { SettingsView } from '../lib/bindings/SettingsView';
import { messages } from '../i18n';
import { exampleName, SettingsPanel } from './settings-view';

const base: Settings = {
  environments: [
    { id: 'sandbox', label: 'Sandbox', kind: 'sandbox', tokenUrl: '', apiBase: '', clientId: 'sandbox' },
    { id: 'staging', label: 'Staging', kind: 'staging', tokenUrl: 'https://s/token', apiBase: 'https://s/api/', clientId: '' },
    { id: 'production', label: 'Production', kind: 'production', tokenUrl: 'https://p/token', apiBase: 'https://p/api/', clientId: '' },
  ],
  activeEnvironment: 'sandbox',
  output: { mode: 'beside', folder: null, namePattern: '{stem}_assinada.{ext}' },
  parallelRequests: 2,
  language: null,
  signature: { reason: '', location: '', timestamp: false, visible: false, placement: 'bottomRight', page: 1, x: 36, y: 36, template: '' },
  presets: [],
};

let saved = false;
let settings: Settings = base;
const calls: { cmd: string; args: Record<string, unknown> }[] = [];
const view = (): SettingsView => ({
  settings,
  secrets: [
    { environmentId: 'sandbox', builtIn: true, saved: false },
    { environmentId: 'staging', builtIn: false, saved },
    { environmentId: 'production', builtIn: false, saved: false },
  ],
});

const tick = () => new Promise((r) => setTimeout(r, 20));

beforeEach(() => {
  saved = false;
  settings = base;
  calls.length = 0;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === 'get_settings') return view();
    if (cmd === 'save_settings') {
      settings = a['settings'] as Settings;
      return view();
    }
    if (cmd === 'save_secret') {
      saved = true;
      return view();
    }
    if (cmd === 'test_connection') {
      return {
        passed: false,
        steps: [
          { title: 'Resolver o nome', target: 's:443', outcome: 'passed', detail: '10.0.0.1', code: null, message: null, elapsedMs: 3 },
          { title: 'Obter um token', target: 's:443', outcome: 'failed', detail: '', code: 'auth.invalid_client', message: 'O serviço recusou o identificador ou o segredo do cliente.', elapsedMs: 41 },
          { title: 'Chamar a API', target: 's:443', outcome: 'skipped', detail: '', code: null, message: null, elapsedMs: 0 },
        ],
      };
    }
    return null;
  });
});

afterEach(() => clearMocks());

async function mount(tab: string): Promise<SettingsPanel> {
  const panel = new SettingsPanel({ t: messages('pt'), tab, onTab: () => {}, onSaved: () => {}, showError: (e) => { throw e; } });
  document.body.replaceChildren(panel.element);
  await panel.load();
  return panel;
}

const input = (id: string) => document.querySelector<HTMLInputElement>(`#${id}`)!;

describe('settings', () => {
  it('saves addresses then the secret, clears the field, and shows only "saved"', async () => {
    await mount('staging');
    expect(document.querySelector('#secret-state')?.textContent).toBe('Nenhum segredo guardado');
    input('client-id').value = 'PRT.5001';
    input('client-secret').value = 's3cret!';
    input('token-url').value = 'https://proxy.local/token';
    document.querySelector<HTMLButtonElement>('#save-credentials')!.click();
    await tick();
    const order = calls.map((c) => c.cmd).filter((c) => c.startsWith('save'));
    expect(order).toEqual(['save_settings', 'save_secret']);
    expect((calls[1]!.args['settings'] as Settings).environments[1]!.tokenUrl).toBe('https://proxy.local/token');
    expect(calls.find((c) => c.cmd === 'save_secret')?.args).toEqual({ environmentId: 'staging', clientId: 'PRT.5001', secret: 's3cret!' });
    expect(input('client-secret').value).toBe('');
    expect(document.querySelector('#secret-state')?.textContent).toBe('Guardado no cofre do sistema');
    expect(document.querySelector('#save-credentials')?.textContent).toBe('Substituir');
    expect(document.querySelector('#delete-secret')).not.toBeNull();
    expect(document.body.textContent).not.toContain('s3cret!');
  });

  it('Test connection shows each step and the plain-language reason with its code', async () => {
    await mount('staging');
    document.querySelector<HTMLButtonElement>('#test-connection')!.click();
    await tick();
    const steps = [...document.querySelectorAll('#connection-steps li')].map((li) => li.getAttribute('data-outcome'));
    expect(steps).toEqual(['passed', 'failed', 'skipped']);
    expect(document.querySelector('#connection-steps')?.textContent).toContain('Obter um token');
    expect(document.querySelector('#settings-status')?.textContent).toBe(
      'O serviço recusou o identificador ou o segredo do cliente. (auth.invalid_client)',
    );
  });

  it('clicking a tab opens it in the same panel and tells the app', async () => {
    const opened: string[] = [];
    const panel = new SettingsPanel({ t: messages('pt'), tab: 'sandbox', onTab: (t) => opened.push(t), onSaved: () => {}, showError: (e) => { throw e; } });
    document.body.replaceChildren(panel.element);
    await panel.load();
    document.querySelector<HTMLButtonElement>('#tab-general')!.click();
    expect(document.querySelector('#tab-general')?.getAttribute('aria-selected')).toBe('true');
    expect(document.querySelector('#tab-sandbox')?.getAttribute('aria-selected')).toBe('false');
    expect(document.querySelector('#name-pattern')).not.toBeNull();
    document.querySelector<HTMLButtonElement>('#tab-staging')!.click();
    expect(input('token-url').disabled).toBe(false);
    expect(opened).toEqual(['general', 'staging']);
  });

  it('the Sandbox needs no credentials and its addresses are not editable', async () => {
    await mount('sandbox');
    expect(document.querySelector('#secret-state')?.textContent).toContain('Não é preciso');
    expect(input('token-url').disabled).toBe(true);
    expect(document.querySelector('#save-credentials')).toBeNull();
  });

  it('general: output rule, pattern with a live example, parallel requests and language', async () => {
    await mount('general');
    expect(document.querySelector('#name-example')?.textContent).toBe('Exemplo: FT 2026-0001_assinada.pdf');
    input('name-pattern').value = '{name}.signed';
    input('name-pattern').dispatchEvent(new Event('input'));
    expect(document.querySelector('#name-example')?.textContent).toBe('Exemplo: FT 2026-0001.pdf.signed');
    input('output-folder').value = '/srv/assinadas';
    document.querySelector<HTMLInputElement>('#output-folder')!.value = '/srv/assinadas';
    input('output-mode-folder').click();
    input('parallel').value = '4';
    document.querySelector<HTMLSelectElement>('#settings-language')!.value = 'en';
    document.querySelector<HTMLButtonElement>('#save-general')!.click();
    await tick();
    expect(settings.output).toEqual({ mode: 'folder', folder: '/srv/assinadas', namePattern: '{name}.signed' });
    expect(settings.parallelRequests).toBe(4);
    expect(settings.language).toBe('en');
    expect(document.querySelector('#settings-status')?.textContent).toBe('Definições guardadas.');
  });

  it('exampleName follows the core writer placeholders', () => {
    expect(exampleName('{stem}_signed.{ext}', 'a.b.xml')).toBe('a.b_signed.xml');
  });
});
