// WCAG AA contrast of every colour pair the stylesheet uses, computed from the CSS variables in
// styles.css (so a changed colour that breaks a pair fails here): text ≥ 4.5:1; focus rings,
// control borders, icons and state indicators ≥ 3:1 (WCAG 1.4.3 and 1.4.11).
import { describe, expect, it } from 'vitest';
import css from '../styles.css?raw';

const root = /:root\s*{([^}]*)}/.exec(css)?.[1] ?? '';
const vars = new Map([...root.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!]));

type Rgb = [number, number, number];

function rgb(name: string): Rgb {
  const hex = vars.get(name);
  if (!hex) throw new Error(`--${name} is not a #rrggbb variable in :root`);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

/** A translucent colour over an opaque one (how `rgb(255 255 255 / 0.22)` looks on a band). */
function over(top: Rgb, alpha: number, bottom: Rgb): Rgb {
  return top.map((c, i) => c * alpha + bottom[i]! * (1 - alpha)) as Rgb;
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = 4.5;
const NON_TEXT = 3;
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

// [foreground, background, minimum, where]
const pairs: [string, string, number, string][] = [
  ['text', 'surface', TEXT, 'body text'],
  ['text', 'surface-raised', TEXT, 'text on cards, buttons, inputs'],
  ['text', 'hover-bg', TEXT, 'button text on hover'],
  ['text', 'info-bg', TEXT, 'focused file row, drop zone while dragging'],
  ['text-muted', 'surface', TEXT, 'secondary text, footer'],
  ['text-muted', 'surface-raised', TEXT, 'secondary text on cards'],
  ['focus', 'surface', TEXT, 'links, drag-over text, focus ring'],
  ['focus', 'surface-raised', TEXT, 'signing status in rows'],
  ['focus', 'info-bg', TEXT, 'signing status in a focused row, focus ring on it'],
  ['border-strong', 'surface', NON_TEXT, 'button and selected tab borders'],
  ['border-strong', 'surface-raised', NON_TEXT, 'button borders on cards'],
  ['on-primary', 'focus', TEXT, 'primary button'],
  ['on-primary', 'primary-hover', TEXT, 'primary button on hover'],
  ['danger-text', 'danger-bg', TEXT, 'error alert text'],
  ['danger', 'danger-bg', NON_TEXT, 'error alert icon and border'],
  ['danger', 'surface-raised', TEXT, 'failed rows, errors in forms'],
  ['danger', 'surface', TEXT, 'watch problem line'],
  ['danger', 'info-bg', TEXT, 'failed text in a focused row'],
  ['ok', 'surface-raised', TEXT, 'signed rows, saved secret'],
  ['ok', 'surface', TEXT, 'watch status'],
  ['ok', 'info-bg', TEXT, 'signed text in a focused row'],
  ['warn', 'surface-raised', TEXT, 'rejected rows, missing secret'],
  ['warn', 'info-bg', TEXT, 'rejected text in a focused row'],
  ['preview-focus', 'surface-raised', NON_TEXT, 'focus ring of the signature box on the PDF page'],
  ['unknown-text', 'unknown-bg', TEXT, 'band while loading, neutral badges'],
  ['sandbox-text', 'sandbox-bg', TEXT, 'Sandbox band (and its focus ring: currentColor)'],
  ['sandbox-badge-text', 'sandbox-badge-bg', TEXT, 'Sandbox validity badge'],
  ['staging-text', 'staging-bg', TEXT, 'Staging band'],
  ['staging-badge-text', 'staging-badge-bg', TEXT, 'Staging validity badge'],
  ['production-text', 'production-bg', TEXT, 'Production band'],
  ['production-badge-text', 'production-badge-bg', TEXT, 'Production validity badge'],
];

describe('colour contrast (WCAG AA)', () => {
  it('reads the variables from styles.css', () => {
    expect(vars.size).toBeGreaterThan(20);
  });

  it.each(pairs)('--%s on --%s ≥ %d:1 (%s)', (fg, bg, min) => {
    expect(contrast(rgb(fg), rgb(bg))).toBeGreaterThanOrEqual(min);
  });

  // Buttons on the bands: text in the band's colour over a translucent highlight (hover, current view).
  it.each([
    ['sandbox', WHITE, 0.22],
    ['sandbox', WHITE, 0.15],
    ['production', WHITE, 0.22],
    ['production', WHITE, 0.15],
    ['staging', BLACK, 0.12],
    ['staging', WHITE, 0.15],
  ] as const)('band %s: text over a highlight of %o at %d', (kind, tint, alpha) => {
    const bg = over([...tint], alpha, rgb(`${kind}-bg`));
    expect(contrast(rgb(`${kind}-text`), bg)).toBeGreaterThanOrEqual(TEXT);
  });

  it('knows a failing pair when it sees one', () => {
    expect(contrast([119, 119, 119], WHITE)).toBeLessThan(TEXT); // #777 on white: 4.48
    expect(contrast(BLACK, WHITE)).toBeCloseTo(21, 5);
  });
});
