import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRecipeText } from './parse-recipe-text';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

describe('parseRecipeText', () => {
  it('gives the same value as the yaml package for the fixtures, and lines for any path', () => {
    for (const name of ['minimal.recipe.yaml', 'bad-options.recipe.yaml', 'minimal.recipe.json']) {
      const text = readFileSync(fixture(name), 'utf8');
      const { parsed, issues } = parseRecipeText(text, fixture(name));
      expect(issues).toEqual([]);
      expect(parsed!.value).toEqual(parse(text));
    }
    const text = 'apiVersion: easydistill/v1\nname: x\nstages:\n  - id: a\n    with: { n: "2" }\n';
    const { parsed } = parseRecipeText(text, 'recipe.yaml');
    expect(parsed!.lineOf(['stages', 0, 'with', 'n'])).toBe(5);
    expect(parsed!.lineOf(['stages', 0, 'missing', 'deeper'])).toBe(4);
    expect(parsed!.lineOf(['name'])).toBe(2);
  });

  it('reads YAML 1.2 core scalars: no timestamps, no yes/no booleans', () => {
    const { parsed } = parseRecipeText('a: 2024-01-01\nb: yes\nc: 0x10\nd: .inf\ne: ~\nf: "007"\n', 'recipe.yaml');
    expect(parsed!.value).toEqual({ a: '2024-01-01', b: 'yes', c: 16, d: Infinity, e: null, f: '007' });
  });

  it('reports syntax errors and duplicate keys with their lines', () => {
    expect(parseRecipeText('a: 1\nb: [1, 2\n', 'recipe.yaml').issues[0].message).toMatch(/line \d+/);
    const duplicate = parseRecipeText('a: 1\nb: 2\na: 3\n', 'recipe.yaml');
    expect(duplicate.parsed).toBeUndefined();
    expect(duplicate.issues[0].message).toContain('(line 3)');
    expect(parseRecipeText('{"a": 1,}', 'recipe.json').issues[0].message).toContain('not valid JSON');
  });

  it('expands aliases, and refuses alias bombs', () => {
    const { parsed } = parseRecipeText('base: &b { n: 1 }\nx: *b\ny: *b\n', 'recipe.yaml');
    expect(parsed!.value).toEqual({ base: { n: 1 }, x: { n: 1 }, y: { n: 1 } });
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) levels.push(`a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]`);
    const bomb = parseRecipeText(levels.join('\n'), 'recipe.yaml');
    expect(bomb.parsed).toBeUndefined();
    expect(bomb.issues[0].message).toMatch(/alias/i);
  });
});
