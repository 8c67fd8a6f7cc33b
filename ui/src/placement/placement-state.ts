// Where the boxes go in the next batch: one placement for every PDF, and/or one per document
// (by path). Resolved per document at signing time against each document's own pages.
import type { DocumentPlacement } from '../lib/bindings/DocumentPlacement';
import type { PresetPlacement } from '../lib/bindings/PresetPlacement';
import { documentPlacement, pageFor } from './coords';
import type { OpenPdf } from './pdf';

export class PlacementState {
  all: PresetPlacement | null = null;
  readonly perDocument = new Map<string, PresetPlacement>();
  /** One listener: the panel of the sign view currently shown. */
  private listener: (() => void) | null = null;

  onChange(listener: () => void): void {
    this.listener = listener;
  }

  changed(): void {
    this.listener?.();
  }

  active(): boolean {
    return this.all !== null || this.perDocument.size > 0;
  }

  clear(): void {
    this.all = null;
    this.perDocument.clear();
    this.changed();
  }

  /** The API boxes for the PDFs among `paths` (index = place in `paths`). */
  async resolve(paths: string[], open: (path: string) => Promise<OpenPdf>): Promise<DocumentPlacement[]> {
    const out: DocumentPlacement[] = [];
    for (const [index, path] of paths.entries()) {
      const placement = this.perDocument.get(path) ?? this.all;
      if (!placement || !/\.pdf$/i.test(path)) continue;
      // A PDF pdf.js cannot read is signed with the options' box; the service judges the file.
      const pdf = await open(path).catch((e: unknown) => {
        console.error('placement: cannot read', path, e);
        return null;
      });
      if (!pdf) continue;
      try {
        const page = Math.min(pageFor(placement, pdf.pageCount), pdf.pageCount);
        out.push(documentPlacement(index, page, await pdf.geometry(page), placement));
      } finally {
        pdf.close();
      }
    }
    return out;
  }
}
