import { countSentences } from '../punkt/punkt-sentence-tokenizer';
import { pythonSplit, pythonStrip, pythonStripChars, PY_S } from '../python/python-string';
import { countWords } from '../tokenize/count-words';
import { compareByRelation } from './instruction-checker';
import type { KwargsReader } from './kwargs';

type Check = (value: string) => boolean;

const PARAGRAPH_DIVIDER = new RegExp(`${PY_S}?\\*\\*\\*${PY_S}?`, 'u');
const FIRST_WORD_PUNCTUATION = new Set(['.', ',', '?', '!', "'", '"']);

/** `length_constraints:number_sentences`: Punkt sentence count, compared. */
export function numberOfSentences(kwargs: KwargsReader): Check {
  const threshold = kwargs.integer('num_sentences');
  const relation = kwargs.relation('relation');
  return (value) => compareByRelation(countSentences(value), relation, threshold);
}

/** `length_constraints:number_words`: `\w+` token count, compared. */
export function numberOfWords(kwargs: KwargsReader): Check {
  const threshold = kwargs.integer('num_words');
  const relation = kwargs.relation('relation');
  return (value) => compareByRelation(countWords(value), relation, threshold);
}

/**
 * `length_constraints:number_paragraphs`: parts split on `\s?***\s?` must number exactly N; an
 * empty first or last part is not counted, an empty part in the middle fails.
 */
export function numberOfParagraphs(kwargs: KwargsReader): Check {
  const expected = kwargs.integer('num_paragraphs');
  return (value) => {
    const paragraphs = value.split(PARAGRAPH_DIVIDER);
    let count = paragraphs.length;
    for (const [index, paragraph] of paragraphs.entries()) {
      if (pythonStrip(paragraph) !== '') continue;
      if (index === 0 || index === paragraphs.length - 1) count -= 1;
      else return false;
    }
    return count === expected;
  };
}

/**
 * `length_constraints:nth_paragraph_first_word`: paragraphs split on `\n\n` (empty ones not
 * counted) must number exactly N, and paragraph `nth_paragraph` (1-based, in the raw split) must
 * start with `first_word` (compared lower-cased, up to the first `. , ? ! ' "`).
 */
export function nthParagraphFirstWord(kwargs: KwargsReader): Check {
  const expected = kwargs.integer('num_paragraphs');
  const nth = kwargs.integer('nth_paragraph');
  const firstWord = kwargs.string('first_word').toLowerCase();
  if (nth < 1 || nth > expected) kwargs.fail('nth_paragraph', `an integer from 1 to num_paragraphs (${expected})`);
  return (value) => {
    const paragraphs = value.split('\n\n');
    let count = paragraphs.length;
    for (const paragraph of paragraphs) if (pythonStrip(paragraph) === '') count -= 1;
    if (nth > count) return false;
    const paragraph = pythonStrip(paragraphs[nth - 1] ?? '');
    if (paragraph === '') return false;
    let word = pythonStrip(pythonSplit(paragraph)[0]!);
    word = pythonStripChars(pythonStripChars(word, "'", 'left'), '"', 'left');
    let found = '';
    for (const character of word) {
      if (FIRST_WORD_PUNCTUATION.has(character)) break;
      found += character.toLowerCase();
    }
    return count === expected && found === firstWord;
  };
}
