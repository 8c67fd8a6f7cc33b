// Keyboard operation of the composite widgets (the rest are native buttons, inputs and selects).
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../i18n';
import { FileList } from '../sign/file-list';
import type { Row } from '../sign/queue';

const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i): Row => (i === 1 ? { path: `/f/FT ${i}.pdf`, name: `FT ${i}.pdf`, kind: 'pdf', status: 'failed', message: 'Sem ligação' } : { path: `/f/FT ${i}.pdf`, name: `FT ${i}.pdf`, kind: 'pdf', status: 'queued' }));
}

beforeEach(() => {
  mockIPC(() => null);
  document.body.replaceChildren();
});
afterEach(() => clearMocks());

describe('file list keyboard', () => {
  it('one row in the Tab order; arrows, Home and End move focus; rows are named for screen readers', () => {
    const list = new FileList(messages('pt'), { showInFolder: () => undefined });
    document.body.append(list.element);
    list.update(rows(5));
    list.render();
    const tabbable = [...list.element.querySelectorAll('[tabindex="0"]')].map((e) => e.id);
    expect(tabbable).toEqual(['file-row-0']);
    const first = document.getElementById('file-row-0')!;
    first.focus();
    key(first, 'ArrowDown');
    expect(document.activeElement?.id).toBe('file-row-1');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('FT 1.pdf: falhou. Sem ligação');
    key(document.activeElement!, 'End');
    expect(document.activeElement?.id).toBe('file-row-4');
    key(document.activeElement!, 'ArrowDown');
    expect(document.activeElement?.id).toBe('file-row-4');
    key(document.activeElement!, 'Home');
    expect(document.activeElement?.id).toBe('file-row-0');
    expect([...list.element.querySelectorAll('[tabindex="0"]')].map((e) => e.id)).toEqual(['file-row-0']);
  });

  it('an empty list is itself focusable, so the Tab order does not skip it silently', () => {
    const list = new FileList(messages('en'), { showInFolder: () => undefined });
    document.body.append(list.element);
    list.update([]);
    list.render();
    expect(list.element.tabIndex).toBe(0);
  });
});

describe('settings tabs keyboard', () => {
  it('ArrowRight / ArrowLeft / End select and focus tabs (ARIA tabs pattern, roving tabindex)', async () => {
    const { SettingsPanel } = await import('../settings/settings-view');
    const env = (id: string, kind: 'sandbox' | 'staging' | 'production') => ({ id, label: id, kind, tokenUrl: '', apiBase: '', clientId: '' });
    const view = {
      settings: {
        environments: [env('sandbox', 'sandbox'), env('staging', 'staging'), env('production', 'production')],
        activeEnvironment: 'sandbox',
        output: { mode: 'beside', folder: null, namePattern: '{stem}_signed.{ext}' },
        parallelRequests: 2,
        language: null,
        signature: { reason: '', location: '', timestamp: false, visible: false, placement: 'bottomRight', page: 1, x: 36, y: 36, template: '' },
      },
      secrets: [],
    };
    clearMocks();
    mockIPC((cmd) => (cmd === 'get_settings' ? view : null));
    const chosen: string[] = [];
    const panel = new SettingsPanel({ t: messages('en'), tab: 'sandbox', onTab: (tab) => chosen.push(tab), onSaved: () => undefined, showError: (e) => { throw e; } });
    document.body.append(panel.element);
    await panel.load();
    const selected = () => [...document.querySelectorAll('[role="tab"][aria-selected="true"]')].map((e) => e.id);
    expect([...document.querySelectorAll('[role="tab"][tabindex="0"]')].map((e) => e.id)).toEqual(['tab-sandbox']);
    key(document.getElementById('tab-sandbox')!, 'ArrowRight');
    expect(selected()).toEqual(['tab-staging']);
    expect(document.activeElement?.id).toBe('tab-staging');
    key(document.activeElement!, 'End');
    expect(document.activeElement?.id).toBe('tab-network');
    key(document.activeElement!, 'ArrowRight');
    expect(document.activeElement?.id).toBe('tab-sandbox');
    key(document.activeElement!, 'ArrowLeft');
    expect(selected()).toEqual(['tab-network']);
    key(document.activeElement!, 'ArrowLeft');
    expect(selected()).toEqual(['tab-general']);
    expect(chosen).toEqual(['staging', 'network', 'sandbox', 'network', 'general']);
    expect(document.getElementById('settings-tabpanel')?.getAttribute('aria-labelledby')).toBe('tab-general');
  });
});
