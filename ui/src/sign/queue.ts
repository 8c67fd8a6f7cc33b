// The list of files the user brought in and what became of each: pure state, no DOM, so the
// rules (no duplicates, rejected files kept with their reason, retry only the failed) are tested alone.
import type { DocumentType } from '../lib/bindings/DocumentType';
import type { FileProgress } from '../lib/bindings/FileProgress';
import type { FileStatus } from '../lib/bindings/FileStatus';
import type { Intake } from '../lib/bindings/Intake';
import type { InterruptedDocument } from '../lib/bindings/InterruptedDocument';

export type RowStatus = FileStatus | 'rejected';

export interface Row {
  path: string;
  name: string;
  kind: DocumentType | null;
  status: RowStatus;
  /** Signed file, once saved. */
  output?: string;
  /** Failure or rejection code, and the plain message from Rust for failures. */
  code?: string;
  message?: string;
}

export interface Counts {
  total: number;
  signed: number;
  failed: number;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

export class FileQueue {
  readonly rows: Row[] = [];
  private readonly known = new Set<string>();
  /** Row of each index of the running batch (events carry the batch index). */
  private batch: number[] = [];

  /** Adds what is new; returns how many rows were added. */
  add(intake: Intake): number {
    const before = this.rows.length;
    for (const f of intake.accepted) {
      if (this.known.has(f.path)) continue;
      this.known.add(f.path);
      this.rows.push({ path: f.path, name: fileName(f.path), kind: f.kind, status: 'queued' });
    }
    for (const f of intake.rejected) {
      if (this.known.has(f.path)) continue;
      this.known.add(f.path);
      this.rows.push({ path: f.path, name: fileName(f.path), kind: null, status: 'rejected', code: f.code, message: f.detail });
    }
    return this.rows.length - before;
  }

  /** Files waiting to be signed. */
  waiting(): Row[] {
    return this.rows.filter((r) => r.kind !== null && r.status === 'queued');
  }

  /** Remembers which rows a batch covers; returns their paths in batch order. */
  startBatch(): string[] {
    this.batch = [];
    this.rows.forEach((r, i) => {
      if (r.kind !== null && r.status === 'queued') this.batch.push(i);
    });
    return this.batch.map((i) => this.rows[i]!.path);
  }

  apply(p: FileProgress): void {
    const rowIndex = this.batch[p.index];
    if (rowIndex === undefined) return;
    const row = this.rows[rowIndex]!;
    row.status = p.status;
    if (p.output) row.output = p.output;
    if (p.status === 'failed') {
      row.code = p.code ?? 'unknown';
      row.message = p.message ?? '';
    } else {
      delete row.code;
      delete row.message;
    }
  }

  /** Counts over the documents (rejected files are not part of a batch). */
  counts(): Counts {
    let total = 0;
    let signed = 0;
    let failed = 0;
    for (const r of this.rows) {
      if (r.kind === null) continue;
      total += 1;
      if (r.status === 'signed') signed += 1;
      if (r.status === 'failed') failed += 1;
    }
    return { total, signed, failed };
  }

  /** Puts the failed documents back in the queue and first in the list; returns how many. */
  retryFailed(): number {
    const failed = this.rows.filter((r) => r.status === 'failed');
    for (const r of failed) {
      r.status = 'queued';
      delete r.code;
      delete r.message;
    }
    const rest = this.rows.filter((r) => !failed.includes(r));
    this.rows.splice(0, this.rows.length, ...failed, ...rest);
    this.batch = [];
    return failed.length;
  }

  /** Failed ones first, so they are seen at the end of a batch. */
  failedFirst(): void {
    const failed = this.rows.filter((r) => r.status === 'failed');
    if (failed.length === 0) return;
    const rest = this.rows.filter((r) => r.status !== 'failed');
    this.rows.splice(0, this.rows.length, ...failed, ...rest);
    this.batch = [];
  }

  /** Shows an interrupted batch as the running one: its documents in its order, as they stand. */
  loadBatch(documents: InterruptedDocument[]): void {
    this.clear();
    for (const d of documents) {
      this.known.add(d.path);
      const row: Row = { path: d.path, name: fileName(d.path), kind: /\.xml$/i.test(d.path) ? 'xml' : 'pdf', status: d.status };
      if (d.output) row.output = d.output;
      if (d.status === 'failed') {
        row.code = d.code ?? 'unknown';
        row.message = d.message ?? '';
      }
      this.rows.push(row);
    }
    this.batch = documents.map((_, i) => i);
  }

  clear(): void {
    this.rows.splice(0);
    this.known.clear();
    this.batch = [];
  }
}
