import { pythonIsLower, pythonIsUpper } from '../python/python-string';
import { wordTokenize } from '../tokenize/nltk-word-tokenizer';
import { compareByRelation, type CheckerOptions } from './instruction-checker';
import type { KwargsReader } from './kwargs';
import { languageIs } from './language';

type Check = (value: string) => boolean;

/** `change_case:capital_word_frequency`: `nltk.word_tokenize` tokens with `isupper()`, compared. */
export function capitalWordFrequency(kwargs: KwargsReader): Check {
  const frequency = kwargs.integer('capital_frequency');
  const relation = kwargs.relation('capital_relation');
  return (value) => compareByRelation(wordTokenize(value).filter(pythonIsUpper).length, relation, frequency);
}

/** `change_case:english_capital`: `value.isupper()` and detected as English. */
export function englishCapital(options: CheckerOptions): Check {
  return (value) => {
    // Python evaluates `isupper() and detect() == "en"` inside one try: detect runs only when
    // isupper() is true, and a detection failure then counts as followed.
    if (!pythonIsUpper(value)) return false;
    return languageIs(value, 'en', options);
  };
}

/** `change_case:english_lowercase`: `value.islower()` and detected as English. */
export function englishLowercase(options: CheckerOptions): Check {
  return (value) => {
    if (!pythonIsLower(value)) return false;
    return languageIs(value, 'en', options);
  };
}
