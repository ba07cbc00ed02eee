import { describe, expect, it } from 'vitest';
import { pythonJsonLoadsSucceeds } from './python-json';

describe('pythonJsonLoadsSucceeds (Python json.loads acceptance)', () => {
  it.each([
    ['{"a": [1, 2.5e3, -0, true, false, null, "x\\u00e9\\n"]}', true],
    ['"just a string"', true],
    ['42', true],
    ['NaN', true],
    ['[Infinity, -Infinity]', true],
    [' \t\n{"a": 1}\r\n', true],
    ['{"a": 1,}', false],
    ["{'a': 1}", false],
    ['01', false],
    ['1.', false],
    ['', false],
    ['{"a": 1} trailing', false],
    ['"raw\ttab"', false],
    ['"bad \\x escape"', false],
    ['\u00a0{}', false],
    ['[1, 2', false],
  ] as const)('%j → %s', (text, expected) => {
    expect(pythonJsonLoadsSucceeds(text)).toBe(expected);
  });
});
