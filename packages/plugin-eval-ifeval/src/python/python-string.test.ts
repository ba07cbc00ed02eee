import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../__fixtures__/gpt4-fixtures';
import { pythonIsLower, pythonIsUpper, pythonLength, pythonSplit, pythonStrip, pythonStripChars } from './python-string';

const reference = JSON.parse(readFileSync(fixturePath('python_reference.json'), 'utf8')) as {
  python_str: Array<{ text: string; isupper: boolean; islower: boolean; lower: string; strip: string; split: string[]; len: number }>;
};

describe('Python str semantics (values from CPython 3.11)', () => {
  it.each(reference.python_str.map((row) => [row.text, row] as const))('%j', (text, expected) => {
    expect(pythonIsUpper(text)).toBe(expected.isupper);
    expect(pythonIsLower(text)).toBe(expected.islower);
    expect(text.toLowerCase()).toBe(expected.lower);
    expect(pythonStrip(text)).toBe(expected.strip);
    expect(pythonSplit(text)).toEqual(expected.split);
    expect(pythonLength(text)).toBe(expected.len);
  });

  it('strips explicit characters from one or both sides', () => {
    expect(pythonStripChars('""quoted""', '"')).toBe('quoted');
    expect(pythonStripChars('<<<title>>', '<', 'left')).toBe('title>>');
    expect(pythonStripChars('**bold**', '*', 'right')).toBe('**bold');
  });

  it('treats U+FEFF as text, not whitespace, unlike String.prototype.trim', () => {
    expect(pythonStrip('\ufeffx ')).toBe('\ufeffx');
  });
});
