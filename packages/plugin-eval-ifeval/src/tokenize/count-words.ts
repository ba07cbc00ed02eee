import { PY_W } from '../python/python-string';

const WORD = new RegExp(`${PY_W}+`, 'gu');

/**
 * IFEval `count_words`: the number of tokens of NLTK `RegexpTokenizer(r"\w+")`, i.e. runs of
 * Python (Unicode) word characters: letters, numbers and `_`, but not combining marks.
 */
export function countWords(text: string): number {
  let count = 0;
  for (const _match of text.matchAll(WORD)) count += 1;
  return count;
}
