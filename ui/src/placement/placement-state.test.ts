import { describe, expect, it } from 'vitest';
import { PlacementState } from './placement-state';
import type { OpenPdf } from './pdf';

const fakePdf = (pageCount: number, rotate = 0): OpenPdf => ({
  pageCount,
  geometry: () => Promise.resolve({ view: [0, 0, 595, 842], rotate }),
  render: () => Promise.resolve(),
  close: () => undefined,
});

describe('placement state', () => {
  it('uses the per-document box first, then the one for every document, and skips XML', async () => {
    const state = new PlacementState();
    state.all = { page: 1, lastPage: true, left: 0, bottom: 0, width: 100, height: 40 };
    state.perDocument.set('/b.pdf', { page: 2, lastPage: false, left: 0.5, bottom: 0.5, width: 50, height: 20 });
    const pages: Record<string, number> = { '/a.pdf': 3, '/b.pdf': 4 };
    const placed = await state.resolve(['/a.pdf', '/x.xml', '/b.pdf'], (p) => Promise.resolve(fakePdf(pages[p] ?? 1)));
    expect(placed).toEqual([
      { index: 0, page: 3, x: 0, y: 0, width: 100, height: 40 },
      { index: 2, page: 2, x: 297.5, y: 421, width: 50, height: 20 },
    ]);
  });

  it('puts a page past the end on the last page', async () => {
    const state = new PlacementState();
    state.all = { page: 5, lastPage: false, left: 0, bottom: 0, width: 100, height: 40 };
    const placed = await state.resolve(['/a.pdf'], () => Promise.resolve(fakePdf(2)));
    expect(placed[0]?.page).toBe(2);
  });
});
