import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Preset } from '../lib/bindings/Preset';
import { messages } from '../i18n';
import { h } from '../dom';
import { CommandFailure } from '../lib/ipc';
import { placementPanel } from './placement-panel';
import { PlacementState } from './placement-state';

const invoices: Preset = {
  name: 'Faturas',
  reason: 'Faturação',
  location: 'Lisboa',
  timestamp: true,
  placement: { page: 1, lastPage: true, left: 0.5, bottom: 0.1, width: 150, height: 40 },
  template: 'Assinado por $certificate.getCommonName()',
};

let saved: Preset[] = [invoices];
let calls: { cmd: string; args: Record<string, unknown> }[] = [];
const errors: unknown[] = [];

const flush = () => new Promise((r) => setTimeout(r, 0));

function mount(state = new PlacementState()) {
  // The sign view's option fields the panel reads and fills.
  const fields = ['option-reason', 'option-location', 'option-template'].map((id) => h('input', { type: 'text', id }));
  const timestamp = h('input', { type: 'checkbox', id: 'option-timestamp' });
  const changes: string[] = [];
  for (const f of [...fields, timestamp]) f.addEventListener('change', () => changes.push(f.id));
  const panel = placementPanel({ t: messages('en'), state, pdfs: () => ['/f/a.pdf'], showError: (e) => errors.push(e) });
  document.body.replaceChildren(...fields, timestamp, panel);
  return { panel, state, changes };
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

beforeEach(() => {
  saved = [invoices];
  calls = [];
  errors.length = 0;
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    if (cmd === 'get_settings') return { settings: { presets: saved }, secrets: [] };
    if (cmd === 'save_presets') {
      saved = (args as { presets: Preset[] }).presets;
      return saved;
    }
    if (cmd === 'import_presets') {
      throw { code: 'presets.invalid', message: 'Preset number 2 in the file is not valid (name is empty).', detail: 'preset 1: name is empty' };
    }
    return null;
  });
});

afterEach(() => clearMocks());

describe('presets panel', () => {
  it('lists the saved presets; picking one fills the options and the placement', async () => {
    const { state, changes } = mount();
    await flush();
    const select = $<HTMLSelectElement>('preset-select');
    expect([...select.options].map((o) => o.value)).toEqual(['', 'Faturas']);
    select.value = 'Faturas';
    select.dispatchEvent(new Event('change'));
    expect($<HTMLInputElement>('option-reason').value).toBe('Faturação');
    expect($<HTMLInputElement>('option-timestamp').checked).toBe(true);
    // Through the fields' own change handlers, so the sign view saves them as if typed.
    expect(changes).toEqual(['option-reason', 'option-location', 'option-timestamp', 'option-template']);
    expect(state.all).toEqual(invoices.placement);
    expect($('placement-summary').textContent).toBe('Signature box: last page, same place on every document.');
  });

  it('creates, renames and deletes presets through save_presets', async () => {
    mount();
    await flush();
    $<HTMLInputElement>('option-reason').value = 'Contratos';
    $<HTMLInputElement>('preset-name').value = '  ';
    $('preset-save').click();
    await flush();
    expect($('preset-note').textContent).toBe('Type a name for the preset.');
    expect(calls.some((c) => c.cmd === 'save_presets')).toBe(false);

    $<HTMLInputElement>('preset-name').value = 'Contratos';
    $('preset-save').click();
    await flush();
    expect(saved.map((p) => [p.name, p.reason, p.placement])).toEqual([
      ['Faturas', 'Faturação', invoices.placement],
      ['Contratos', 'Contratos', null],
    ]);
    expect($<HTMLSelectElement>('preset-select').value).toBe('Contratos');

    $<HTMLInputElement>('preset-name').value = 'Contratos 2026';
    $('preset-rename').click();
    await flush();
    expect(saved.map((p) => p.name)).toEqual(['Faturas', 'Contratos 2026']);

    $('preset-delete').click();
    await flush();
    expect(saved.map((p) => p.name)).toEqual(['Faturas']);
    expect([...$<HTMLSelectElement>('preset-select').options].map((o) => o.value)).toEqual(['', 'Faturas']);
  });

  it('a bad import file shows the plain reason and changes nothing', async () => {
    mount();
    await flush();
    $('preset-import').click();
    await flush();
    expect(errors).toHaveLength(1);
    const failure = errors[0] as CommandFailure;
    expect(failure).toBeInstanceOf(CommandFailure);
    expect(failure.code).toBe('presets.invalid');
    expect(failure.message).toContain('Preset number 2');
    expect(saved).toEqual([invoices]);
  });

  it('without a PDF in the list, the preview says what to do', async () => {
    document.body.replaceChildren(placementPanel({ t: messages('pt'), state: new PlacementState(), pdfs: () => [], showError: (e) => errors.push(e) }));
    await flush();
    $('place-on-preview').click();
    await flush();
    expect($('preset-note').textContent).toBe('Adicione um PDF à lista para colocar a assinatura na página.');
    expect(document.getElementById('preview')).toBeNull();
  });
});
