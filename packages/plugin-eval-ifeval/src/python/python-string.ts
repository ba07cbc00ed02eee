/**
 * Python 3 `str` semantics that IFEval's official checkers rely on, written for JavaScript strings.
 *
 * - Whitespace is CPython's `Py_UNICODE_ISSPACE` set (what `str.strip()`, `str.split()` and the
 *   `re` module's `\s` use). It differs from JavaScript's `\s`/`trim()`: it includes U+001C–U+001F
 *   and U+0085, and excludes U+FEFF.
 * - A word character is Python's `\w` for `str` patterns: `str.isalnum()` or `_`, which is
 *   letters and numbers but not combining marks.
 * - Lengths and counts are in code points, as Python's `len` and `collections.Counter` count.
 */

/** Characters of Python's whitespace set, for use inside a regular-expression character class. */
export const PY_WHITESPACE_CLASS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Python `\s` as a JavaScript regular-expression source fragment (use with the `u` flag). */
export const PY_S = `[${PY_WHITESPACE_CLASS}]`;
/** Python `\S` as a JavaScript regular-expression source fragment (use with the `u` flag). */
export const PY_NOT_S = `[^${PY_WHITESPACE_CLASS}]`;
/** Python `\w` for `str` patterns (use with the `u` flag). */
export const PY_W = '[\\p{L}\\p{N}_]';
/** Python `\W` for `str` patterns (use with the `u` flag). */
export const PY_NOT_W = '[^\\p{L}\\p{N}_]';
/** Python `\d` for `str` patterns: Unicode decimal digits (use with the `u` flag). */
export const PY_D = '\\p{Nd}';
/** Python `\b` (Unicode-aware word boundary) as a JavaScript source fragment (use with the `u` flag). */
export const PY_B = `(?:(?<=${PY_W})(?!${PY_W})|(?<!${PY_W})(?=${PY_W}))`;
/** Python `$` without MULTILINE: the end of the string, or just before a final newline. */
export const PY_END = '(?=\\n?(?![\\s\\S]))';

const WHITESPACE_CHAR = new RegExp(PY_S, 'u');
const LEADING_WHITESPACE = new RegExp(`^${PY_S}+`, 'u');
const TRAILING_WHITESPACE = new RegExp(`${PY_S}+$`, 'u');
const WHITESPACE_RUN = new RegExp(`${PY_S}+`, 'u');
const LOWERCASE = /\p{Lowercase}/u;
const UPPERCASE = /\p{Uppercase}/u;
const TITLECASE = /\p{Lt}/u;

/** Python `ch.isspace()` for a single character. */
export function isPythonWhitespace(character: string): boolean {
  return WHITESPACE_CHAR.test(character);
}

/** Python `s.strip()` with no argument. */
export function pythonStrip(text: string): string {
  return text.replace(LEADING_WHITESPACE, '').replace(TRAILING_WHITESPACE, '');
}

/** Python `s.rstrip()` with no argument. */
export function pythonRstrip(text: string): string {
  return text.replace(TRAILING_WHITESPACE, '');
}

/** Python `s.split()` with no argument: split on runs of whitespace, dropping empty pieces. */
export function pythonSplit(text: string): string[] {
  const stripped = pythonStrip(text);
  return stripped === '' ? [] : stripped.split(WHITESPACE_RUN);
}

/** Python `s.strip(chars)` / `lstrip(chars)` / `rstrip(chars)` with an explicit character set. */
export function pythonStripChars(text: string, characters: string, side: 'both' | 'left' | 'right' = 'both'): string {
  const set = new Set(Array.from(characters));
  const codePoints = Array.from(text);
  let start = 0;
  let end = codePoints.length;
  if (side !== 'right') while (start < end && set.has(codePoints[start]!)) start += 1;
  if (side !== 'left') while (end > start && set.has(codePoints[end - 1]!)) end -= 1;
  return codePoints.slice(start, end).join('');
}

/**
 * Python `s.isupper()`: no lowercase or titlecase character and at least one uppercase character
 * (Unicode `Lowercase`/`Uppercase` properties, general category `Lt`).
 */
export function pythonIsUpper(text: string): boolean {
  let cased = false;
  for (const character of text) {
    if (LOWERCASE.test(character) || TITLECASE.test(character)) return false;
    if (!cased && UPPERCASE.test(character)) cased = true;
  }
  return cased;
}

/** Python `s.islower()`: no uppercase or titlecase character and at least one lowercase character. */
export function pythonIsLower(text: string): boolean {
  let cased = false;
  for (const character of text) {
    if (UPPERCASE.test(character) || TITLECASE.test(character)) return false;
    if (!cased && LOWERCASE.test(character)) cased = true;
  }
  return cased;
}

/** Python `len(s)`: the number of code points. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _character of text) length += 1;
  return length;
}

/** The first code point of `text` (Python `s[0]`), or `''` for an empty string. */
export function firstCodePoint(text: string): string {
  const codePoint = text.codePointAt(0);
  return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
}
