import { PY_B, pythonStrip } from '../python/python-string';
import { compareByRelation } from './instruction-checker';
import type { KwargsReader } from './kwargs';
import { compilePythonPattern } from './python-pattern';

type Check = (value: string) => boolean;

/** `keywords:existence`: every keyword found by a case-insensitive search (a substring test). */
export function keywordExistence(kwargs: KwargsReader): Check {
  const patterns = kwargs.strings('keywords').map((keyword) => compilePythonPattern(keyword, 'iu'));
  return (value) => patterns.every((pattern) => pattern.test(value));
}

/** `keywords:frequency`: the number of non-overlapping case-insensitive matches, compared. */
export function keywordFrequency(kwargs: KwargsReader): Check {
  const pattern = compilePythonPattern(pythonStrip(kwargs.string('keyword')), 'giu');
  const frequency = kwargs.integer('frequency');
  const relation = kwargs.relation('relation');
  return (value) => compareByRelation(Array.from(value.matchAll(pattern)).length, relation, frequency);
}

/** `keywords:forbidden_words`: no forbidden word as a whole word (Unicode `\b`), case-insensitive. */
export function forbiddenWords(kwargs: KwargsReader): Check {
  const patterns = kwargs.strings('forbidden_words').map((word) => compilePythonPattern(`${PY_B}${word}${PY_B}`, 'iu'));
  return (value) => !patterns.some((pattern) => pattern.test(value));
}

/**
 * `keywords:letter_frequency`: occurrences of the letter in the lower-cased response, compared.
 *
 * Deviation, on purpose: when `letter` is not one ASCII letter the official `build_description`
 * draws a random letter (keys 1122 and 1129 of the dataset), so its verdict is random. Here the
 * given character itself is counted, which makes the verdict reproducible.
 */
export function letterFrequency(kwargs: KwargsReader): Check {
  const given = kwargs.string('letter');
  const letter = (/^[A-Za-z]$/.test(given) ? pythonStrip(given) : given).toLowerCase();
  const frequency = kwargs.integer('let_frequency');
  const relation = kwargs.relation('let_relation');
  return (value) => {
    let count = 0;
    for (const character of value.toLowerCase()) if (character === letter) count += 1;
    return compareByRelation(count, relation, frequency);
  };
}
