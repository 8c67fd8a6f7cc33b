import { emit } from '@tauri-apps/api/event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WatchView } from '../lib/bindings/WatchView';
import { messages } from '../i18n';
import { WatchPanel } from './watch-view';

const tick = () => new Promise((r) => setTimeout(r, 20));
const calls: { cmd: string; args: Record<string, unknown> }[] = [];
let view: WatchView;
let eventBeforeAnswer = false;

function fresh(): WatchView {
  return {
    folders: { input: null, output: null, backup: null, enabled: false },
    running: false,
    status: { phase: 'stopped', waiting: 0, signed: 0, failed: 0, lastActivity: null, problem: null },
    error: null,
    revision: 1,
  };
}

/** The next view, as Rust takes it: every view a higher revision. */
function next(change: Partial<WatchView>): WatchView {
  view = { ...view, ...change, revision: view.revision + 1 };
  return view;
}

beforeEach(() => {
  calls.length = 0;
  view = fresh();
  eventBeforeAnswer = false;
  mockIPC(
    async (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      if (cmd === 'get_watch') return view;
      if (cmd === 'choose_folder') return '/srv/entrada';
      if (cmd === 'set_watch_folders') {
        return next({ folders: { ...view.folders, input: a['input'] as string | null, output: a['output'] as string | null, backup: a['backup'] as string | null } });
      }
      if (cmd === 'set_watch_enabled') {
        if (!view.folders.output) throw { code: 'watch.not_configured', message: '', detail: 'x' };
        const answer = next({ running: true, folders: { ...view.folders, enabled: true }, status: { ...view.status, phase: 'starting' } });
        // The watch may already report before the command's answer arrives (taken earlier).
        if (eventBeforeAnswer) await emit('watch-changed', next({ status: { ...view.status, phase: 'watching' } }));
        return answer;
      }
      return null;
    },
    { shouldMockEvents: true },
  );
  document.body.replaceChildren();
});

afterEach(() => clearMocks());

async function mount(): Promise<WatchPanel> {
  const panel = new WatchPanel({ t: messages('pt'), environmentName: 'Formação (sandbox)', showError: (e) => { throw e; } });
  document.body.append(panel.element);
  await panel.load();
  return panel;
}

describe('watch panel', () => {
  it('chooses a folder through Rust, saves it, and keeps focus on the button', async () => {
    await mount();
    expect(document.querySelector('#watch-input-path')?.textContent).toBe('Por escolher');
    (document.querySelector('#watch-choose-input') as HTMLButtonElement).click();
    await tick();
    expect(calls.map((c) => c.cmd)).toEqual(['get_watch', 'choose_folder', 'set_watch_folders']);
    expect(calls[2]?.args).toEqual({ input: '/srv/entrada', output: null, backup: null });
    expect(document.querySelector('#watch-input-path')?.textContent).toBe('/srv/entrada');
    expect(document.activeElement?.id).toBe('watch-choose-input');
  });

  it('turning on without all folders says what to do, in plain words, and stays off', async () => {
    await mount();
    const toggle = document.querySelector('#watch-toggle') as HTMLInputElement;
    expect(toggle.getAttribute('role')).toBe('switch');
    toggle.click();
    await tick();
    expect(document.querySelector('#watch-error')?.getAttribute('role')).toBe('alert');
    expect(document.querySelector('#watch-error')?.textContent).toContain('Escolha as pastas de entrada, de saída e de cópias');
    expect((document.querySelector('#watch-toggle') as HTMLInputElement).checked).toBe(false);
  });

  it('shows status and last activity from events, in a live region', async () => {
    view.folders = { input: '/i', output: '/o', backup: '/b', enabled: true };
    await mount();
    (document.querySelector('#watch-toggle') as HTMLInputElement).click();
    await tick();
    await emit('watch-changed', {
      ...view,
      revision: view.revision + 1,
      status: {
        phase: 'watching',
        waiting: 0,
        signed: 3,
        failed: 1,
        problem: null,
        lastActivity: { atMs: Date.now(), file: 'FT 1.pdf', outcome: 'signed', output: '/o/FT 1_signed.pdf', backup: '/b/FT 1.pdf' },
      },
    } satisfies WatchView);
    await tick();
    const status = document.querySelector('#watch-status');
    expect(status?.getAttribute('aria-live')).toBe('polite');
    expect(status?.textContent).toBe('À espera de ficheiros novos · 3 assinados · 1 falhados · 0 em espera');
    expect(document.querySelector('#watch-last-activity')?.textContent).toContain('FT 1.pdf assinado → /o/FT 1_signed.pdf');
  });

  it('a command answer older than an event already shown does not overwrite it', async () => {
    view.folders = { input: '/i', output: '/o', backup: '/b', enabled: false };
    eventBeforeAnswer = true;
    await mount();
    (document.querySelector('#watch-toggle') as HTMLInputElement).click();
    await tick();
    expect(document.querySelector('#watch-status')?.textContent).toMatch(/^À espera de ficheiros novos/);
  });

  it('a watch that stopped on its own shows why', async () => {
    view.folders = { input: '/i', output: '/o', backup: '/b', enabled: true };
    view.error = { code: 'watch.input_missing', message: 'A pasta de entrada /i não existe.', detail: 'the input folder /i does not exist' };
    await mount();
    expect(document.querySelector('#watch-error')?.textContent).toContain('A pasta de entrada /i não existe.');
    expect(document.querySelector('#watch-error')?.textContent).toContain('watch.input_missing');
  });
});
