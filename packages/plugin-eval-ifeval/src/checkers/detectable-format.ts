import { pythonJsonLoadsSucceeds } from '../python/python-json';
import { pythonStrip, pythonStripChars, PY_S } from '../python/python-string';
import type { KwargsReader } from './kwargs';
import { compilePythonPattern } from './python-pattern';

type Check = (value: string) => boolean;

/** Python's MULTILINE `^` and `$`: at the string ends or next to a newline. */
const LINE_START = '(?:(?<![\\s\\S])|(?<=\\n))';
const LINE_END = '(?=\\n|(?![\\s\\S]))';
const STAR_BULLET = new RegExp(`${LINE_START}${PY_S}*\\*[^*][^\\n]*${LINE_END}`, 'gu');
const DASH_BULLET = new RegExp(`${LINE_START}${PY_S}*-[^\\n]*${LINE_END}`, 'gu');
const SINGLE_HIGHLIGHT = /\*[^\n*]*\*/g;
const DOUBLE_HIGHLIGHT = /\*\*[^\n*]*\*\*/g;
const TITLE = /<<[^\n]+>>/g;
const CONSTRAINED_RESPONSES = ['My answer is yes.', 'My answer is no.', 'My answer is maybe.'];

const count = (value: string, pattern: RegExp): number => Array.from(value.matchAll(pattern)).length;

/**
 * `detectable_format:number_bullet_lists`: lines matching `^\s*\*[^*].*$` plus lines matching
 * `^\s*-.*$` (MULTILINE; `\s*` may cross blank lines) must number exactly N.
 */
export function numberOfBulletLists(kwargs: KwargsReader): Check {
  const expected = kwargs.integer('num_bullets');
  return (value) => count(value, STAR_BULLET) + count(value, DASH_BULLET) === expected;
}

/** `detectable_format:constrained_response`: contains "My answer is yes./no./maybe.". */
export function constrainedResponse(): Check {
  return (value) => {
    const stripped = pythonStrip(value);
    return CONSTRAINED_RESPONSES.some((option) => stripped.includes(option));
  };
}

/** `detectable_format:number_highlighted_sections`: at least N non-empty `*…*` or `**…**` spans. */
export function numberOfHighlightedSections(kwargs: KwargsReader): Check {
  const minimum = kwargs.integer('num_highlights');
  return (value) => {
    let highlights = 0;
    for (const [match] of value.matchAll(SINGLE_HIGHLIGHT)) {
      if (pythonStrip(pythonStripChars(match, '*')) !== '') highlights += 1;
    }
    for (const [match] of value.matchAll(DOUBLE_HIGHLIGHT)) {
      if (pythonStrip(match.slice(2, -2)) !== '') highlights += 1;
    }
    return highlights >= minimum;
  };
}

/** `detectable_format:multiple_sections`: at least N sections split on `\s?SPLITTER\s?\d+\s?`. */
export function multipleSections(kwargs: KwargsReader): Check {
  const splitter = pythonStrip(kwargs.string('section_spliter'));
  const minimum = kwargs.integer('num_sections');
  const pattern = compilePythonPattern(`${PY_S}?${splitter}${PY_S}?\\p{Nd}+${PY_S}?`, 'u');
  return (value) => value.split(pattern).length - 1 >= minimum;
}

/** `detectable_format:json_format`: the response, without a Markdown code fence, is valid JSON. */
export function jsonFormat(): Check {
  return (value) => {
    let text = pythonStrip(value);
    for (const prefix of ['```json', '```Json', '```JSON', '```']) {
      if (text.startsWith(prefix)) text = text.slice(prefix.length);
    }
    if (text.endsWith('```')) text = text.slice(0, -3);
    return pythonJsonLoadsSucceeds(pythonStrip(text));
  };
}

/** `detectable_format:title`: some `<<title>>` on one line with non-empty text. */
export function title(): Check {
  return (value) => {
    for (const [match] of value.matchAll(TITLE)) {
      const inner = pythonStripChars(pythonStripChars(match, '<', 'left'), '>', 'right');
      if (pythonStrip(inner) !== '') return true;
    }
    return false;
  };
}
