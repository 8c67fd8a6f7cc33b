import { describe, expect, it } from 'vitest';
import { apiToShown, clampToPage, documentPlacement, fromRelative, pageFor, shownSize, shownToApi, toRelative, type PageGeometry } from './coords';

const a4: PageGeometry = { view: [0, 0, 595, 842], rotate: 0 };

describe('placement coordinates', () => {
  it('turns a box near the top-left of an A4 page into a bottom-left origin', () => {
    expect(shownToApi(a4, { left: 36, top: 36, width: 180, height: 50 })).toEqual({ x: 36, y: 842 - 86, width: 180, height: 50 });
  });

  it('is relative to the page corner when the MediaBox does not start at 0,0', () => {
    // The sandbox's rendering test uses the same page: MediaBox [100 200 712 992].
    const offset: PageGeometry = { view: [100, 200, 712, 992], rotate: 0 };
    expect(shownSize(offset)).toEqual({ width: 612, height: 792 });
    expect(shownToApi(offset, { left: 300, top: 332, width: 150, height: 60 })).toEqual({ x: 300, y: 400, width: 150, height: 60 });
  });

  it('follows /Rotate 90: the page shows 842 wide and the box turns with it', () => {
    const turned: PageGeometry = { view: [0, 0, 595, 842], rotate: 90 };
    expect(shownSize(turned)).toEqual({ width: 842, height: 595 });
    // Seen by pdftoppm at (200..260, 100..250) in the sandbox test for x=100,y=200,150x60.
    expect(shownToApi(turned, { left: 200, top: 100, width: 60, height: 150 })).toEqual({ x: 100, y: 200, width: 150, height: 60 });
  });

  it('goes there and back on every quarter turn and origin', () => {
    for (const rotate of [0, 90, 180, 270, -90, 450]) {
      for (const view of [[0, 0, 595, 842], [50, -20, 662, 772]] as [number, number, number, number][]) {
        const page = { view, rotate };
        const box = { x: 40, y: 70, width: 120, height: 45 };
        expect(shownToApi(page, apiToShown(page, box))).toEqual(box);
      }
    }
  });

  it('180 and 270 put the page corner where the turned page shows it', () => {
    // The unrotated bottom-left corner shows top-right after half a turn, top-left after three quarters.
    expect(apiToShown({ view: [0, 0, 595, 842], rotate: 180 }, { x: 0, y: 0, width: 10, height: 20 })).toEqual({ left: 585, top: 0, width: 10, height: 20 });
    expect(apiToShown({ view: [0, 0, 595, 842], rotate: 270 }, { x: 0, y: 0, width: 10, height: 20 })).toEqual({ left: 822, top: 585, width: 20, height: 10 });
  });

  it('keeps the box on the page', () => {
    expect(clampToPage(a4, { left: 500, top: -5, width: 180, height: 50 })).toEqual({ left: 415, top: 0, width: 180, height: 50 });
    expect(clampToPage(a4, { left: 0, top: 0, width: 900, height: 2 })).toEqual({ left: 0, top: 0, width: 595, height: 10 });
  });

  it('keeps the same relative place on pages of another size, and the last page', () => {
    const rel = toRelative(a4, { left: 297.5, top: 842 - 100 - 50, width: 180, height: 50 }, 1, true);
    expect(rel).toMatchObject({ left: 0.5, lastPage: true, width: 180, height: 50 });
    expect(rel.bottom).toBeCloseTo(100 / 842, 4);
    const letter: PageGeometry = { view: [0, 0, 612, 792], rotate: 0 };
    const rect = fromRelative(letter, rel);
    expect(rect.left).toBeCloseTo(306, 1);
    expect(pageFor(rel, 7)).toBe(7);
    expect(pageFor({ ...rel, lastPage: false, page: 2 }, 7)).toBe(2);
    const placed = documentPlacement(3, 7, letter, rel);
    expect(placed.index).toBe(3);
    expect(placed.page).toBe(7);
    expect(placed.y).toBeCloseTo(94.06, 1);
  });
});
