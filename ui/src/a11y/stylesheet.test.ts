// The stylesheet is one flat list of rules (and @media blocks holding rules). A brace lost in a
// merge does not fail the build: the browser silently nests every later rule inside the open
// one, and whole panels (the placement preview once) lose their layout. This catches that.
import { describe, expect, it } from 'vitest';
import css from '../styles.css?raw';

/** The first structural problem in `text`, or null: a rule inside a rule, a stray or missing brace. */
export function braceProblem(text: string): string | null {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const open: { at: boolean; line: number }[] = [];
  let line = 1;
  let prelude = '';
  for (const ch of src) {
    if (ch === '\n') line += 1;
    if (ch === '{') {
      const at = prelude.trim().startsWith('@');
      const parent = open[open.length - 1];
      if (parent && !parent.at) return `line ${line}: a rule opened inside the rule opened on line ${parent.line}`;
      open.push({ at, line });
      prelude = '';
    } else if (ch === '}') {
      if (!open.pop()) return `line ${line}: a closing brace with nothing open`;
      prelude = '';
    } else if (ch === ';') {
      prelude = '';
    } else {
      prelude += ch;
    }
  }
  const left = open[open.length - 1];
  return left ? `the rule opened on line ${left.line} is never closed` : null;
}

describe('styles.css structure', () => {
  it('has every rule closed and none nested in another', () => {
    expect(braceProblem(css)).toBeNull();
  });

  it('the check itself sees a lost brace and a stray one', () => {
    expect(braceProblem('.a {\n  color: red;\n.b { color: blue; }\n')).toMatch(/line 3: a rule opened inside/);
    expect(braceProblem('.a { color: red; }\n}')).toMatch(/closing brace/);
    expect(braceProblem('@media (min-width: 1px) { .a { color: red; } }')).toBeNull();
  });
});
