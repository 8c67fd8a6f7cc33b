import { describe, expect, it } from 'vitest';
import type { Intake } from '../lib/bindings/Intake';
import { fileName, FileQueue } from './queue';

const intake = (accepted: string[], rejected: [string, string][] = []): Intake => ({
  accepted: accepted.map((path) => ({ path, size: 10, kind: path.endsWith('.xml') ? 'xml' : 'pdf' })),
  rejected: rejected.map(([path, code]) => ({ path, code, detail: 'x' })),
});

describe('FileQueue', () => {
  it('keeps rejected files with their reason and never adds a path twice', () => {
    const q = new FileQueue();
    expect(q.add(intake(['/a/1.pdf', '/a/2.xml'], [['/a/scan.png', 'input.unsupported']]))).toBe(3);
    expect(q.add(intake(['/a/1.pdf'], [['/a/scan.png', 'input.unsupported']]))).toBe(0);
    expect(q.rows.map((r) => [r.name, r.status, r.kind])).toEqual([
      ['1.pdf', 'queued', 'pdf'],
      ['2.xml', 'queued', 'xml'],
      ['scan.png', 'rejected', null],
    ]);
    expect(q.waiting()).toHaveLength(2);
  });

  it('maps batch indices to rows, counts, and retries only the failed, first in the list', () => {
    const q = new FileQueue();
    q.add(intake(['/a/1.pdf', '/a/2.pdf', '/a/3.pdf'], [['/a/x.txt', 'input.unsupported']]));
    expect(q.startBatch()).toEqual(['/a/1.pdf', '/a/2.pdf', '/a/3.pdf']);
    q.apply({ index: 0, status: 'signed', output: '/a/Signed/1_signed.pdf', code: null, message: null });
    q.apply({ index: 2, status: 'failed', output: null, code: 'net.unreachable', message: 'Sem ligação' });
    q.apply({ index: 1, status: 'signing', output: null, code: null, message: null });
    q.apply({ index: 9, status: 'signed', output: null, code: null, message: null });
    expect(q.counts()).toEqual({ total: 3, signed: 1, failed: 1 });
    expect(q.rows[0]!.output).toBe('/a/Signed/1_signed.pdf');
    expect(q.rows[2]!.message).toBe('Sem ligação');

    expect(q.retryFailed()).toBe(1);
    expect(q.rows[0]!.name).toBe('3.pdf');
    expect(q.rows[0]!.status).toBe('queued');
    expect(q.rows[0]!.message).toBeUndefined();
    expect(q.startBatch()).toEqual(['/a/3.pdf']);
  });

  it('clear forgets everything, so the same files can be added again', () => {
    const q = new FileQueue();
    q.add(intake(['/a/1.pdf']));
    q.clear();
    expect(q.add(intake(['/a/1.pdf']))).toBe(1);
  });

  it('takes the last part of Unix and Windows paths as the name', () => {
    expect(fileName('/home/ana/FT 1.pdf')).toBe('FT 1.pdf');
    expect(fileName('C:\\Faturas\\FT 2.xml')).toBe('FT 2.xml');
  });
});
