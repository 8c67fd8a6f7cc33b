import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../lib/bindings/AppInfo';
import type { EnvironmentKind } from '../lib/bindings/EnvironmentKind';
import { mountApp } from './app';

function appInfo(kind: EnvironmentKind = 'sandbox'): AppInfo {
  return {
    version: '9.8.7',
    environment: { id: kind, kind, signaturesValid: kind === 'production', apiBase: null },
  };
}

function text(selector: string): string {
  return document.querySelector(selector)?.textContent ?? '';
}

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
    mockIPC((cmd) => (cmd === 'app_info' ? appInfo('sandbox') : undefined));
    const app = mountApp(root, { language: 'pt' });
    expect(text('#environment-name')).toContain('A verificar o ambiente');

    await app.ready;

    expect(text('#environment-name')).toContain('Formação (sandbox)');
    expect(text('#environment-validity')).toBe('não válido');
    expect(document.querySelector('#environment-band')?.classList).toContain('band--sandbox');
    expect(document.querySelector('#environment-band svg')).not.toBeNull();
    expect(text('#app-version')).toBe('Versão 9.8.7');
  });

  it('follows the kind: production is named and marked valid', async () => {
    mockIPC((cmd) => (cmd === 'app_info' ? appInfo('production') : undefined));
    await mountApp(root, { language: 'pt' }).ready;

    expect(text('#environment-name')).toContain('Produção');
    expect(text('#environment-validity')).toBe('assinaturas válidas');
    expect(document.querySelector('#environment-band')?.classList).toContain('band--production');
  });
});

describe('language', () => {
  it('switches every text when the language switch is used, and keeps focus on it', async () => {
    mockIPC(() => appInfo());
    await mountApp(root, { language: 'pt' }).ready;
    expect(document.documentElement.lang).toBe('pt');
    expect(text('#drop-zone-title')).toBe('Arraste faturas (PDF ou XML) ou pastas para aqui');
    expect(text('#add-files')).toBe('Adicionar ficheiros…');

    const toggle = document.querySelector<HTMLButtonElement>('#language-switch');
    expect(toggle?.textContent).toBe('English');
    toggle?.focus();
    toggle?.click();

    expect(document.documentElement.lang).toBe('en');
    expect(text('#drop-zone-title')).toBe('Drag invoices (PDF or XML) or folders here');
    expect(text('#add-files')).toBe('Add files…');
    expect(text('#add-folder')).toBe('Add folder…');
    expect(text('#environment-name')).toContain('Sandbox (training)');
    expect(text('#environment-validity')).toBe('not valid');
    expect(text('#app-version')).toBe('Version 9.8.7');
    expect(document.activeElement?.id).toBe('language-switch');
    expect(text('#language-switch')).toBe('Português');

    document.querySelector<HTMLButtonElement>('#language-switch')?.click();
    expect(text('#drop-zone-title')).toBe('Arraste faturas (PDF ou XML) ou pastas para aqui');
  });
});

describe('errors', () => {
  it('shows a plain-language message, with the code only in the support detail', async () => {
    mockIPC(() => {
      throw { code: 'internal', message: 'state not managed' };
    });
    await mountApp(root, { language: 'pt' }).ready;

    const alert = document.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Não foi possível saber em que ambiente a aplicação está');
    expect(alert?.textContent).toContain('Ocorreu um erro interno');
    expect(text('#error-detail')).toBe('Detalhe para o suporte: internal — state not managed');
    expect(text('#environment-name')).toBe('Ambiente desconhecido');
    expect(document.querySelector('#environment-band')?.classList).toContain('band--unknown');
  });

  it('treats anything that is not our {code, message} as unknown, in the chosen language', async () => {
    mockIPC(() => {
      throw 'command app_info not found';
    });
    await mountApp(root, { language: 'en' }).ready;

    expect(text('[role="alert"]')).toContain('Something unexpected went wrong');
    expect(text('#error-detail')).toBe('Detail for support: unknown — command app_info not found');
  });
});
