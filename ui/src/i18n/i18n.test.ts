import { describe, expect, it } from 'vitest';
import { en } from './en';
import { detectLanguage } from './index';
import { pt } from './pt';

describe('detectLanguage', () => {
  it('is Portuguese unless the system language starts with "en"', () => {
    expect(detectLanguage('pt-PT')).toBe('pt');
    expect(detectLanguage('en-GB')).toBe('en');
    expect(detectLanguage('EN')).toBe('en');
    expect(detectLanguage('fr-FR')).toBe('pt');
    expect(detectLanguage('')).toBe('pt');
    expect(detectLanguage(undefined)).toBe('pt');
  });
});

describe('catalogues', () => {
  // The Messages type already forces the same keys; this catches copy-paste leftovers.
  it('has no English string left untranslated in Portuguese', () => {
    const leaves = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'object' && value !== null
          ? Object.values(value).flatMap(leaves)
          : [];
    const english = new Set(leaves(en));
    const same = leaves(pt).filter((s) => english.has(s));
    expect(same).toEqual([]);
  });
});
