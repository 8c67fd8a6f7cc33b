// Page geometry and the conversions between what the user sees (the page as shown: rotated by
// /Rotate, top-down, in points at scale 1) and what the API wants (PDF user space of the unrotated
// page, bottom-left origin, relative to the page's lower-left corner — the CropBox/MediaBox origin).
import type { DocumentPlacement } from '../lib/bindings/DocumentPlacement';
import type { PresetPlacement } from '../lib/bindings/PresetPlacement';

/** What pdf.js reports of a page: `view` ([x1, y1, x2, y2], the CropBox within the MediaBox) and `rotate`. */
export interface PageGeometry {
  view: [number, number, number, number];
  rotate: number;
}

/** A rectangle on the page as shown, top-down, in points. */
export interface ShownRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The API's box: lower-left corner relative to the page's lower-left corner, and size, in points. */
export interface ApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const quarter = (rotate: number): 0 | 90 | 180 | 270 => (((Math.round(rotate / 90) * 90) % 360) + 360) % 360 as 0 | 90 | 180 | 270;

function unrotatedSize(page: PageGeometry): { w: number; h: number } {
  const [x1, y1, x2, y2] = page.view;
  return { w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) };
}

/** Size of the page as shown (width and height swap on a quarter turn). */
export function shownSize(page: PageGeometry): { width: number; height: number } {
  const { w, h } = unrotatedSize(page);
  const r = quarter(page.rotate);
  return r === 90 || r === 270 ? { width: h, height: w } : { width: w, height: h };
}

/** A point of the page as shown → user space relative to the page origin. */
function shownToUser(page: PageGeometry, dx: number, dy: number): [number, number] {
  const { w, h } = unrotatedSize(page);
  switch (quarter(page.rotate)) {
    case 90:
      return [dy, dx];
    case 180:
      return [w - dx, dy];
    case 270:
      return [w - dy, h - dx];
    default:
      return [dx, h - dy];
  }
}

/** User space relative to the page origin → a point of the page as shown. */
function userToShown(page: PageGeometry, ux: number, uy: number): [number, number] {
  const { w, h } = unrotatedSize(page);
  switch (quarter(page.rotate)) {
    case 90:
      return [uy, ux];
    case 180:
      return [w - ux, uy];
    case 270:
      return [h - uy, w - ux];
    default:
      return [ux, h - uy];
  }
}

const round = (v: number) => Math.round(v * 100) / 100;

/** The rectangle the user placed → the API's box (the box stays axis-aligned on any quarter turn). */
export function shownToApi(page: PageGeometry, rect: ShownRect): ApiBox {
  const [ax, ay] = shownToUser(page, rect.left, rect.top);
  const [bx, by] = shownToUser(page, rect.left + rect.width, rect.top + rect.height);
  return {
    x: round(Math.max(0, Math.min(ax, bx))),
    y: round(Math.max(0, Math.min(ay, by))),
    width: round(Math.abs(bx - ax)),
    height: round(Math.abs(by - ay)),
  };
}

/** The API's box → where it shows on the page. */
export function apiToShown(page: PageGeometry, box: ApiBox): ShownRect {
  const [ax, ay] = userToShown(page, box.x, box.y);
  const [bx, by] = userToShown(page, box.x + box.width, box.y + box.height);
  return { left: Math.min(ax, bx), top: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
}

/** Keeps a shown rectangle on the page (moved in, then shrunk if larger than the page). */
export function clampToPage(page: PageGeometry, rect: ShownRect): ShownRect {
  const { width, height } = shownSize(page);
  const w = Math.min(Math.max(rect.width, 10), width);
  const h = Math.min(Math.max(rect.height, 10), height);
  return {
    left: Math.min(Math.max(rect.left, 0), width - w),
    top: Math.min(Math.max(rect.top, 0), height - h),
    width: w,
    height: h,
  };
}

/** A placed rectangle → the page-independent form a preset keeps (fractions + size in points). */
export function toRelative(page: PageGeometry, rect: ShownRect, pageNumber: number, lastPage: boolean): PresetPlacement {
  const { width, height } = shownSize(page);
  return {
    page: pageNumber,
    lastPage,
    left: round4(rect.left / width),
    bottom: round4((height - rect.top - rect.height) / height),
    width: round(rect.width),
    height: round(rect.height),
  };
}

const round4 = (v: number) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));

/** The rectangle of a preset placement on a given page (same relative place, same size). */
export function fromRelative(page: PageGeometry, placement: PresetPlacement): ShownRect {
  const { height } = shownSize(page);
  const { width: pageWidth } = shownSize(page);
  return clampToPage(page, {
    left: placement.left * pageWidth,
    top: height - placement.bottom * height - placement.height,
    width: placement.width,
    height: placement.height,
  });
}

/** The page a placement goes on, in a document of `pageCount` pages. */
export function pageFor(placement: PresetPlacement, pageCount: number): number {
  return placement.lastPage ? pageCount : Math.max(1, placement.page);
}

/** Everything the API needs for one document of the batch. */
export function documentPlacement(index: number, pageNumber: number, page: PageGeometry, placement: PresetPlacement): DocumentPlacement {
  return { index, page: pageNumber, ...shownToApi(page, fromRelative(page, placement)) };
}
