import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryRow } from '../lib/bindings/HistoryRow';
import { messages } from '../i18n';
import { HistoryPanel } from './history-view';

const rows: HistoryRow[] = [
  {
    time: Date.UTC(2026, 10, 28, 9, 0, 0),
    environmentId: 'production',
    input: '/f/FT 1.pdf',
    output: '/f/Signed/FT 1_signed.pdf',
    operationId: 42,
    externalReference: 'ssd-1',
    outcome: 'signed',
    errorCode: null,
    errorMessage: null,
  },
  {
    time: Date.UTC(2026, 10, 28, 9, 1, 0),
    environmentId: 'production',
    input: '/f/FT 2.pdf',
    output: null,
    operationId: null,
    externalReference: 'ssd-2',
    outcome: 'failed',
    errorCode: 'net.unreachable',
    errorMessage: 'Não foi possível contactar o serviço.',
  },
];

afterEach(() => clearMocks());

describe('history', () => {
  it('lists documents with environment, result and output; failed rows give the reason and Retry; filters reach the query', async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      if (cmd === 'history') return rows;
      if (cmd === 'export_history_csv') return '/home/ana/historico.csv';
      return null;
    });
    const retried: string[] = [];
    const panel = new HistoryPanel({
      t: messages('pt'),
      environments: [{ id: 'production', kind: 'production', signaturesValid: true, apiBase: null, hasCredentials: true }],
      retry: (p) => retried.push(p),
      showError: (e) => {
        throw e;
      },
    });
    document.body.replaceChildren(panel.element);
    await panel.load();

    const trs = [...document.querySelectorAll('#history-table tbody tr')];
    expect(trs).toHaveLength(2);
    const cells = (i: number) => [...trs[i]!.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells(0).slice(1)).toEqual(['Produção', 'FT 1.pdf', 'Assinada', 'FT 1_signed.pdf', '42']);
    expect(cells(1)[3]).toContain('Falhou — Não foi possível contactar o serviço.');
    trs[1]!.querySelector<HTMLButtonElement>('.history-row__retry')!.click();
    expect(retried).toEqual(['/f/FT 2.pdf']);

    const outcome = document.querySelector<HTMLSelectElement>('#history-outcome')!;
    outcome.value = 'failed';
    outcome.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.filter((c) => c.cmd === 'history').at(-1)?.args['filter']).toMatchObject({ outcome: 'failed' });

    const since = document.querySelector<HTMLInputElement>('#history-since')!;
    since.value = '2026-11-28';
    since.dispatchEvent(new Event('change'));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.filter((c) => c.cmd === 'history').at(-1)?.args['filter']).toMatchObject({
      outcome: 'failed',
      since: new Date(2026, 10, 28).getTime(),
    });

    document.querySelector<HTMLButtonElement>('#export-csv')!.click();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.find((c) => c.cmd === 'export_history_csv')?.args['filter']).toMatchObject({ outcome: 'failed' });
    expect(document.body.textContent).toContain('Exportado para /home/ana/historico.csv');
  });
});
