import { emit } from '@tauri-apps/api/event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../lib/bindings/AppInfo';
import type { EnvironmentInfo } from '../lib/bindings/EnvironmentInfo';
import type { EnvironmentKindSetting } from '../lib/bindings/EnvironmentKindSetting';
import type { Intake } from '../lib/bindings/Intake';
import type { Settings } from '../lib/bindings/Settings';
import type { SettingsView } from '../lib/bindings/SettingsView';
import { mountApp } from './app';

function env(kind: EnvironmentKindSetting, hasCredentials = true): EnvironmentInfo {
  return { id: kind, kind, signaturesValid: kind === 'production', apiBase: null, hasCredentials };
}

function appInfo(kind: EnvironmentKindSetting = 'sandbox', hasCredentials = true, language: string | null = null): AppInfo {
  return {
    version: '9.8.7',
    environment: env(kind, hasCredentials),
    environments: [env('sandbox'), env('staging', kind !== 'staging' || hasCredentials), env('production', false)],
    language,
  };
}

const settings: Settings = {
  environments: [
    { id: 'sandbox', label: 'Sandbox', kind: 'sandbox', tokenUrl: '', apiBase: '', clientId: 'sandbox' },
    { id: 'staging', label: 'Staging', kind: 'staging', tokenUrl: 'https://s/token', apiBase: 'https://s/api/', clientId: 'abc' },
    { id: 'production', label: 'Production', kind: 'production', tokenUrl: 'https://p/token', apiBase: 'https://p/api/', clientId: '' },
  ],
  activeEnvironment: 'sandbox',
  output: { mode: 'beside', folder: null, namePattern: '{stem}_signed.{ext}' },
  parallelRequests: 2,
  language: null,
  signature: { reason: 'Fatura', location: 'Lisboa', timestamp: false, visible: false, placement: 'bottomRight', page: 1, x: 36, y: 36, template: '' },
  presets: [],
};

const settingsView = (saved = false): SettingsView => ({
  settings,
  secrets: [
    { environmentId: 'sandbox', builtIn: true, saved: false },
    { environmentId: 'staging', builtIn: false, saved },
    { environmentId: 'production', builtIn: false, saved: false },
  ],
});

type Handler = (cmd: string, args: Record<string, unknown>) => unknown;
const calls: { cmd: string; args: Record<string, unknown> }[] = [];

function backend(overrides: Record<string, Handler> = {}, info = appInfo()): void {
  calls.length = 0;
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      const handler = overrides[cmd];
      if (handler) return handler(cmd, (args ?? {}) as Record<string, unknown>);
      if (cmd === 'app_info') return info;
      if (cmd === 'get_settings') return settingsView();
      return null;
    },
    { shouldMockEvents: true },
  );
}

function text(selector: string): string {
  return document.querySelector(selector)?.textContent ?? '';
}

const tick = () => new Promise((r) => setTimeout(r, 20));
const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

let root: HTMLElement;

beforeEach(() => {
  root = document.createElement('div');
  document.body.replaceChildren(root);
});

afterEach(() => {
  clearMocks();
});

describe('environment band', () => {
  it('shows the environment that app_info reports, in words and not only colour', async () => {
    backend();
    const app = mountApp(root, { language: 'pt' });
    expect(text('#environment-name')).toContain('A verificar o ambiente');
    await app.ready;
    expect(text('#environment-name')).toContain('Formação (sandbox)');
    expect(text('#environment-validity')).toBe('não válido');
    expect(document.querySelector('#environment-band')?.classList).toContain('band--sandbox');
    expect(document.querySelector('#environment-band svg')).not.toBeNull();
    expect(text('#app-version')).toBe('Versão 9.8.7');
  });

  it('switching environment saves the choice and reloads the band', async () => {
    let active: EnvironmentKindSetting = 'sandbox';
    backend({
      app_info: () => appInfo(active),
      set_active_environment: (_c, a) => {
        active = a['environmentId'] as EnvironmentKindSetting;
        return null;
      },
    });
    await mountApp(root, { language: 'pt' }).ready;
    const select = document.querySelector<HTMLSelectElement>('#environment-switch')!;
    select.value = 'production';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(text('#environment-name')).toContain('Produção');
    expect(text('#environment-validity')).toBe('assinaturas válidas');
    expect(text('#sign')).toContain('em Produção');
  });

  it('an environment without credentials says so, disables Sign and links to its settings', async () => {
    backend({}, appInfo('staging', false));
    await mountApp(root, { language: 'pt' }).ready;
    expect(text('#no-credentials')).toContain('Ainda não há credenciais para Testes (staging)');
    expect(document.querySelector('#sign')?.hasAttribute('disabled')).toBe(true);
    document.querySelector<HTMLButtonElement>('#open-credentials')!.click();
    await tick();
    expect(document.querySelector('#tab-staging')?.getAttribute('aria-selected')).toBe('true');
  });
});

describe('language', () => {
  it('switches every text, saves the choice, and keeps focus on the switch', async () => {
    backend();
    await mountApp(root, { language: 'pt' }).ready;
    expect(text('#drop-zone-title')).toBe('Arraste faturas (PDF ou XML) ou pastas para aqui');
    const toggle = document.querySelector<HTMLButtonElement>('#language-switch')!;
    toggle.focus();
    toggle.click();
    expect(document.documentElement.lang).toBe('en');
    expect(text('#drop-zone-title')).toBe('Drag invoices (PDF or XML) or folders here');
    expect(text('#add-files')).toBe('Add files…');
    expect(text('#nav-settings')).toBe('Settings');
    expect(text('#environment-name')).toContain('Sandbox (training)');
    expect(text('#app-version')).toBe('Version 9.8.7');
    expect(document.activeElement?.id).toBe('language-switch');
    expect(calls.filter((c) => c.cmd === 'set_language').map((c) => c.args)).toEqual([
      { language: 'pt', remember: false },
      { language: 'en', remember: true },
    ]);
  });

  it('the saved language wins over the system one', async () => {
    backend({}, appInfo('sandbox', true, 'en'));
    await mountApp(root, { language: 'pt' }).ready;
    expect(text('#drop-zone-title')).toBe('Drag invoices (PDF or XML) or folders here');
  });
});

describe('signing', () => {
  const intake: Intake = {
    accepted: [
      { path: '/f/FT 1.pdf', size: 100, kind: 'pdf' },
      { path: '/f/FT 2.xml', size: 100, kind: 'xml' },
    ],
    rejected: [{ path: '/f/scan.png', code: 'input.unsupported', detail: 'a PNG image' }],
  };

  it('open-files adds paths as if dropped; progress events update rows and counts; the end offers the folder', async () => {
    backend({ take_in_paths: () => intake, start_signing: () => ({ batchId: 1, total: 2 }) });
    await mountApp(root, { language: 'pt' }).ready;
    await emit('open-files', ['/f/FT 1.pdf', '/f/FT 2.xml', '/f/scan.png']);
    await tick();
    await frame();
    expect(calls.find((c) => c.cmd === 'take_in_paths')?.args).toEqual({ paths: ['/f/FT 1.pdf', '/f/FT 2.xml', '/f/scan.png'] });
    const rows = [...document.querySelectorAll('.file-row')];
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['queued', 'queued', 'rejected']);
    expect(rows[2]?.textContent).toContain('não é PDF nem XML');
    expect(text('#sign')).toBe('Assinar 2 faturas em Formação (sandbox)');

    document.querySelector<HTMLButtonElement>('#sign')!.click();
    await tick();
    expect(calls.find((c) => c.cmd === 'start_signing')?.args).toEqual({ paths: ['/f/FT 1.pdf', '/f/FT 2.xml'] });
    expect(document.querySelector('#cancel')).not.toBeNull();

    await emit('sign-progress', { index: 0, status: 'signed', output: '/f/Signed/FT 1_signed.pdf', code: null, message: null });
    await emit('sign-progress', { index: 1, status: 'failed', output: null, code: 'net.unreachable', message: 'Não foi possível contactar o serviço.' });
    await emit('sign-finished', { signed: 1, failed: 1, cancelled: false, outputFolders: ['/f/Signed'] });
    await tick();
    await frame();
    expect(text('#summary')).toBe('Terminado: 1 assinada, 1 falhou.');
    expect(text('#progress-counts')).toBe('1 de 2 assinadas · 1 falhou');
    const after = [...document.querySelectorAll('.file-row')];
    expect(after[0]?.getAttribute('data-status')).toBe('failed');
    expect(after[0]?.textContent).toContain('Não foi possível contactar o serviço.');

    document.querySelector<HTMLButtonElement>('#open-output')!.click();
    await tick();
    expect(calls.find((c) => c.cmd === 'open_folder')?.args).toEqual({ path: '/f/Signed' });
    document.querySelector<HTMLButtonElement>('[data-show]')!.click();
    await tick();
    expect(calls.find((c) => c.cmd === 'show_in_folder')?.args).toEqual({ path: '/f/Signed/FT 1_signed.pdf' });

    document.querySelector<HTMLButtonElement>('#retry-failed')!.click();
    await tick();
    expect(calls.filter((c) => c.cmd === 'start_signing').at(-1)?.args).toEqual({ paths: ['/f/FT 2.xml'] });
  });

  it('Cancel asks the backend to stop the running batch', async () => {
    backend({ take_in_paths: () => intake, start_signing: () => ({ batchId: 2, total: 2 }) });
    await mountApp(root, { language: 'en' }).ready;
    await emit('open-files', ['/f/FT 1.pdf']);
    await tick();
    document.querySelector<HTMLButtonElement>('#sign')!.click();
    await tick();
    expect(document.querySelector('#sign')?.hasAttribute('disabled')).toBe(true);
    document.querySelector<HTMLButtonElement>('#cancel')!.click();
    await tick();
    expect(calls.some((c) => c.cmd === 'cancel_signing')).toBe(true);
    await emit('sign-finished', { signed: 0, failed: 2, cancelled: true, outputFolders: [] });
    await tick();
    expect(text('#summary')).toBe('Cancelled: what had not been sent yet was not signed.');
    expect(document.querySelector('#cancel')).toBeNull();
  });

  it('a rejected start shows the plain message from Rust and the code only in the detail', async () => {
    backend({
      take_in_paths: () => intake,
      start_signing: () => {
        throw { code: 'auth.invalid_client', message: 'O serviço recusou as credenciais.', detail: 'HTTP 401 invalid_client' };
      },
    });
    await mountApp(root, { language: 'pt' }).ready;
    await emit('open-files', ['/f/FT 1.pdf']);
    await tick();
    document.querySelector<HTMLButtonElement>('#sign')!.click();
    await tick();
    expect(text('#command-alert-message')).toBe('O serviço recusou as credenciais.');
    expect(text('#command-alert-detail')).toBe('Detalhe para o suporte: auth.invalid_client — HTTP 401 invalid_client');
    expect(document.querySelector('.file-row')?.getAttribute('data-status')).toBe('queued');
  });

  it('renders only the rows in view for 1,000 files', async () => {
    const many: Intake = {
      accepted: Array.from({ length: 1000 }, (_, i) => ({ path: `/f/FT ${i}.pdf`, size: 1, kind: 'pdf' as const })),
      rejected: [],
    };
    backend({ take_in_paths: () => many });
    await mountApp(root, { language: 'pt' }).ready;
    await emit('open-files', ['/f']);
    await tick();
    await frame();
    const rendered = document.querySelectorAll('.file-row').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(40);
    expect(text('#sign')).toBe('Assinar 1000 faturas em Formação (sandbox)');
  });

  it('signature options are remembered through save_settings', async () => {
    backend({ save_settings: (_c, a) => ({ ...settingsView(), settings: a['settings'] }) });
    await mountApp(root, { language: 'pt' }).ready;
    const reason = document.querySelector<HTMLInputElement>('#option-reason')!;
    expect(reason.value).toBe('Fatura');
    reason.value = 'Faturação';
    reason.dispatchEvent(new Event('change'));
    await tick();
    const saved = calls.find((c) => c.cmd === 'save_settings')?.args['settings'] as Settings;
    expect(saved.signature.reason).toBe('Faturação');
    expect(saved.signature.location).toBe('Lisboa');
  });
});

describe('errors', () => {
  it('app_info failing shows a plain-language message, with the code only in the support detail', async () => {
    mockIPC(() => {
      throw { code: 'internal', message: '', detail: 'state not managed' };
    });
    await mountApp(root, { language: 'pt' }).ready;
    const alert = document.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Não foi possível saber em que ambiente a aplicação está');
    expect(alert?.textContent).toContain('Ocorreu um erro interno');
    expect(text('#error-alert-detail')).toBe('Detalhe para o suporte: internal — state not managed');
    expect(text('#environment-name')).toBe('Ambiente desconhecido');
  });

  it('treats anything that is not our error shape as unknown, in the chosen language', async () => {
    mockIPC(() => {
      throw 'command app_info not found';
    });
    await mountApp(root, { language: 'en' }).ready;
    expect(text('[role="alert"]')).toContain('Something unexpected went wrong');
    expect(text('#error-alert-detail')).toBe('Detail for support: unknown — command app_info not found');
  });
});

// Reliability (issue 5): a batch a crash left unfinished shows as interrupted; Resume finishes it.
describe('interrupted batches', () => {
  const interrupted = {
    batchId: 7,
    environmentId: 'staging',
    createdAt: 0,
    unfinished: 2,
    documents: [
      { path: '/f/a.pdf', status: 'signed', output: '/f/Signed/a_signed.pdf', code: null, message: null },
      { path: '/f/b.pdf', status: 'queued', output: null, code: null, message: null },
      { path: '/f/c.xml', status: 'queued', output: null, code: null, message: null },
    ],
  };

  it('shows the batch as interrupted and Resume lists its documents and resumes it', async () => {
    backend({ interrupted_batches: () => [interrupted], resume_batch: () => ({ batchId: 7, total: 3 }) });
    await mountApp(root, { language: 'pt' }).ready;
    await tick();
    expect(text('#interrupted-text')).toBe(
      'Um lote foi interrompido (a aplicação ou o computador parou): 2 de 3 faturas por terminar. Retomar termina-as sem assinar nenhuma duas vezes.',
    );
    (document.querySelector('#resume') as HTMLButtonElement).click();
    await tick();
    expect(calls.find((c) => c.cmd === 'resume_batch')?.args).toEqual({ batchId: 7 });
    expect(document.querySelector('#interrupted')).toBeNull();
    const rows = [...document.querySelectorAll('#file-list .file-row')].map((r) => r.getAttribute('data-status'));
    expect(rows.sort()).toEqual(['queued', 'queued', 'signed']);
    expect(document.querySelector('#sign')?.hasAttribute('disabled')).toBe(true);
  });

  it('a refused resume puts the notice back and says why', async () => {
    backend({
      interrupted_batches: () => [interrupted],
      resume_batch: () => {
        throw { code: 'resume.other_environment', message: 'O lote 7 foi assinado em X; retome-o nesse ambiente.', detail: 'd' };
      },
    });
    await mountApp(root, { language: 'en' }).ready;
    await tick();
    expect(text('#interrupted-text')).toContain('2 of 3 invoices not finished');
    (document.querySelector('#resume') as HTMLButtonElement).click();
    await tick();
    expect(document.querySelector('#interrupted')).not.toBeNull();
    expect(document.body.textContent).toContain('retome-o nesse ambiente');
  });
});
