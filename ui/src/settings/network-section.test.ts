import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkSettings } from '../lib/bindings/NetworkSettings';
import type { NetworkView } from '../lib/bindings/NetworkView';
import type { Settings } from '../lib/bindings/Settings';
import type { SettingsView } from '../lib/bindings/SettingsView';
import { messages } from '../i18n';
import { SettingsPanel } from './settings-view';

const base: Settings = {
  environments: [
    { id: 'sandbox', label: 'Sandbox', kind: 'sandbox', tokenUrl: '', apiBase: '', clientId: 'sandbox' },
    { id: 'staging', label: 'Staging', kind: 'staging', tokenUrl: 'https://s/token', apiBase: 'https://s/api/', clientId: 'c' },
    { id: 'production', label: 'Production', kind: 'production', tokenUrl: 'https://p/token', apiBase: 'https://p/api/', clientId: '' },
  ],
  activeEnvironment: 'sandbox',
  output: { mode: 'beside', folder: null, namePattern: '{stem}_assinada.{ext}' },
  parallelRequests: 2,
  language: null,
  signature: { reason: '', location: '', timestamp: false, visible: false, placement: 'bottomRight', page: 1, x: 36, y: 36, template: '' },
  presets: [],
};

let settings: Settings = base;
let network: NetworkSettings = { proxy: 'system', proxyAddress: '' };
let proxyUser: string | null = null;
let failNext: unknown = null;
const calls: { cmd: string; args: Record<string, unknown> }[] = [];
const view = (): SettingsView => ({
  settings,
  secrets: [
    { environmentId: 'sandbox', builtIn: true, saved: false },
    { environmentId: 'staging', builtIn: false, saved: true },
    { environmentId: 'production', builtIn: false, saved: false },
  ],
});
const networkView = (): NetworkView => ({ network, proxyUser, systemProxy: null });
const tick = () => new Promise((r) => setTimeout(r, 20));
const CA = { fileName: 'empresa-ca.pem', subjects: ['CN=Empresa Root CA,O=Empresa'], pem: '-----BEGIN CERTIFICATE-----\n…' };

beforeEach(() => {
  settings = base;
  network = { proxy: 'system', proxyAddress: '' };
  proxyUser = null;
  failNext = null;
  calls.length = 0;
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (failNext) {
      const f = failNext;
      failNext = null;
      throw f;
    }
    switch (cmd) {
      case 'get_settings':
        return view();
      case 'get_network':
        return networkView();
      case 'save_network':
        network = a['network'] as NetworkSettings;
        return networkView();
      case 'save_proxy_login':
        proxyUser = a['user'] as string;
        return networkView();
      case 'delete_proxy_login':
        proxyUser = null;
        return networkView();
      case 'choose_ca_certificate':
        settings = { ...settings, environments: settings.environments.map((e) => (e.id === a['environmentId'] ? { ...e, extraCaCertificate: CA } : e)) };
        return view();
      case 'remove_ca_certificate':
        settings = { ...settings, environments: settings.environments.map((e) => (e.id === a['environmentId'] ? { ...base.environments[1]! } : e)) };
        return view();
      case 'diagnose':
        return [
          {
            environmentId: 'staging',
            check: {
              passed: false,
              steps: [
                { title: 'Resolver o nome', target: 's:443', outcome: 'passed', detail: '10.0.0.1', code: null, message: null, elapsedMs: 4 },
                { title: 'Ligar ao servidor', target: 's:443', outcome: 'failed', detail: '', code: 'network.connect', message: 'Não foi possível ligar. Talvez seja preciso um proxy.', elapsedMs: 1203 },
                { title: 'Obter um token', target: 's:443', outcome: 'skipped', detail: '', code: null, message: null, elapsedMs: 0 },
              ],
            },
          },
        ];
      case 'export_diagnostics':
        return { path: '/home/ana/signstash-diagnostics.zip', entries: ['versions.json', 'doctor.json'] };
    }
    return null;
  });
});

afterEach(() => clearMocks());

async function mount(tab: string): Promise<void> {
  const panel = new SettingsPanel({ t: messages('pt'), tab, onTab: () => {}, onSaved: () => {}, showError: (e) => { throw e; } });
  document.body.replaceChildren(panel.element);
  await panel.load();
  await tick();
}

const input = (id: string) => document.querySelector<HTMLInputElement>(`#${id}`)!;
const click = (id: string) => document.querySelector<HTMLButtonElement>(`#${id}`)!.click();
const status = () => document.querySelector('#settings-status')?.textContent;

describe('network settings', () => {
  it('has its own tab; the system proxy is the default and says what it is now', async () => {
    await mount('network');
    expect(document.querySelector('#tab-network')?.textContent).toBe('Rede');
    expect(input('proxy-mode-system').checked).toBe(true);
    expect(document.querySelector('#system-proxy')?.textContent).toBe('Agora: nenhum (ligação direta)');
    expect(document.querySelector<HTMLElement>('#proxy-manual')!.hidden).toBe(true);
  });

  it('manual proxy: saves the address, then the login into the keyring, and never shows the password again', async () => {
    await mount('network');
    input('proxy-mode-manual').click();
    expect(document.querySelector<HTMLElement>('#proxy-manual')!.hidden).toBe(false);
    input('proxy-address').value = ' proxy.empresa.pt:3128 ';
    input('proxy-user').value = 'ana';
    input('proxy-password').value = 'Pr0xy-pa55';
    click('save-proxy');
    await tick();
    const saves = calls.filter((c) => c.cmd.startsWith('save'));
    expect(saves.map((c) => c.cmd)).toEqual(['save_network', 'save_proxy_login']);
    expect(saves[0]!.args).toEqual({ network: { proxy: 'manual', proxyAddress: 'proxy.empresa.pt:3128' } });
    expect(saves[1]!.args).toEqual({ user: 'ana', password: 'Pr0xy-pa55' });
    expect(input('proxy-password').value).toBe('');
    expect(document.querySelector('#proxy-login-state')?.textContent).toBe('Palavra-passe guardada no cofre do sistema, para o utilizador ana');
    expect(document.body.innerHTML).not.toContain('Pr0xy-pa55');
    expect(status()).toBe('Definições guardadas.');
    click('delete-proxy-login');
    await tick();
    expect(calls.at(-1)?.cmd).toBe('delete_proxy_login');
    expect(document.querySelector('#proxy-login-state')?.textContent).toBe('Sem utilizador guardado (só se o proxy o pedir)');
  });

  it('no password typed: only the proxy is saved, the login stays as it was', async () => {
    await mount('network');
    input('proxy-mode-none').click();
    click('save-proxy');
    await tick();
    expect(calls.filter((c) => c.cmd.startsWith('save')).map((c) => c.cmd)).toEqual(['save_network']);
    expect(network.proxy).toBe('none');
  });

  it('a refused address is a plain sentence with its code', async () => {
    await mount('network');
    input('proxy-mode-manual').click();
    failNext = { code: 'settings.invalid', message: '', detail: 'invalid setting: the proxy address is missing (host:port)' };
    click('save-proxy');
    await tick();
    expect(status()).toBe('Há um valor inválido nas definições. Reveja os campos e guarde de novo. (settings.invalid)');
  });

  it('Diagnose lists each step with its time and the likely fix', async () => {
    await mount('network');
    click('diagnose');
    await tick();
    const items = [...document.querySelectorAll('#diagnosis li')];
    expect(items.map((li) => li.getAttribute('data-outcome'))).toEqual(['passed', 'failed', 'skipped']);
    expect(items[1]!.querySelector('.step__time')?.textContent).toBe('1203 ms');
    expect(items[1]!.querySelector('.step__detail')?.textContent).toBe('Não foi possível ligar. Talvez seja preciso um proxy.');
    expect(status()).toBe('Não foi possível ligar. Talvez seja preciso um proxy. (network.connect)');
  });

  it('Export diagnostics shows where the file went; a write failure is explained', async () => {
    await mount('network');
    click('export-diagnostics');
    await tick();
    expect(status()).toContain('/home/ana/signstash-diagnostics.zip');
    failNext = { code: 'bundle.write', message: '', detail: 'could not write /x.zip: permission denied' };
    click('export-diagnostics');
    await tick();
    expect(status()).toBe('Não foi possível escrever o ficheiro de diagnóstico. Escolha outra pasta. (bundle.write)');
  });

  it('an environment can get an extra CA certificate, shown by file and subject, and lose it', async () => {
    await mount('staging');
    expect(document.querySelector('#ca-state')?.textContent).toBe('Nenhum: só os certificados do sistema.');
    click('choose-ca');
    await tick();
    expect(calls.find((c) => c.cmd === 'choose_ca_certificate')?.args).toEqual({ environmentId: 'staging' });
    expect(document.querySelector('#ca-state')?.textContent).toBe('empresa-ca.pem — CN=Empresa Root CA,O=Empresa');
    expect(status()).toBe('Certificado guardado: este ambiente passa a confiar nele.');
    click('remove-ca');
    await tick();
    expect(document.querySelector('#ca-state')?.textContent).toBe('Nenhum: só os certificados do sistema.');
  });

  it('a file that is not a certificate gives the plain reason from Rust', async () => {
    await mount('staging');
    failNext = { code: 'config.ca_certificate', message: 'O ficheiro escolhido não é um certificado.', detail: 'x' };
    click('choose-ca');
    await tick();
    expect(status()).toBe('O ficheiro escolhido não é um certificado. (config.ca_certificate)');
  });

  it('the built-in Sandbox has no CA row', async () => {
    await mount('sandbox');
    expect(document.querySelector('#extra-ca')).toBeNull();
  });
});
