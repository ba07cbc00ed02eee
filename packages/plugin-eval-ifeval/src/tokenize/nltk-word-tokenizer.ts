import { englishSentenceTokenizer } from '../punkt/punkt-sentence-tokenizer';
import { pythonSplit, PY_B, PY_D, PY_END, PY_S, PY_W } from '../python/python-string';

type Substitution = readonly [RegExp, string];

const rule = (source: string, replacement: string, flags = ''): Substitution => [
  new RegExp(source, `g${flags}u`),
  replacement,
];

// NLTK 3.8 `NLTKWordTokenizer` (destructive.py), with Python's \s, \w, \d, \b and `$`.
const STARTING_QUOTES: Substitution[] = [
  rule('([«“‘„]|[`]+)', ' $1 '),
  rule('^"', '``'),
  rule('(``)', ' $1 '),
  rule(String.raw`([ (\[{<])("|'{2})`, '$1 `` '),
  rule(String.raw`(')(?!re|ve|ll|m|t|s|d|n)(${PY_W})${PY_B}`, '$1 $2', 'i'),
];

const PUNCTUATION: Substitution[] = [
  rule(String.raw`([^.])(\.)([\])}>"'»”’ ]*)${PY_S}*${PY_END}`, '$1 $2 $3 '),
  rule(`([:,])([^${PY_D}])`, ' $1 $2'),
  rule(`([:,])${PY_END}`, ' $1 '),
  rule(String.raw`\.{2,}`, ' $& '),
  rule('[;@#$%&]', ' $& '),
  rule(String.raw`([^.])(\.)([\])}>"']*)${PY_S}*${PY_END}`, '$1 $2$3 '),
  rule('[?!]', ' $& '),
  rule("([^'])' ", "$1 ' "),
  rule(String.raw`[*]`, ' $& '),
];

const PARENS_BRACKETS = rule(String.raw`[\]\[(){}<>]`, ' $& ');
const DOUBLE_DASHES = rule('--', ' -- ');

const ENDING_QUOTES: Substitution[] = [
  rule('([»”’])', ' $1 '),
  rule("''", " '' "),
  rule('"', " '' "),
  rule("([^' ])('[sS]|'[mM]|'[dD]|') ", '$1 $2 '),
  rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", '$1 $2 '),
];

const CONTRACTIONS: Substitution[] = [
  rule(`${PY_B}(can)(not)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(d)('ye)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(gim)(me)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(gon)(na)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(got)(ta)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(lem)(me)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(more)('n)${PY_B}`, ' $1 $2 ', 'i'),
  rule(`${PY_B}(wan)(na)(?=${PY_S})`, ' $1 $2 ', 'i'),
  rule(` ('t)(is)${PY_B}`, ' $1 $2 ', 'i'),
  rule(` ('t)(was)${PY_B}`, ' $1 $2 ', 'i'),
];

/**
 * NLTK's `NLTKWordTokenizer().tokenize(sentence)` (the Treebank-style tokenizer that
 * `nltk.word_tokenize` applies to each sentence).
 */
export function treebankTokenize(sentence: string): string[] {
  let text = sentence;
  for (const [pattern, replacement] of STARTING_QUOTES) text = text.replace(pattern, replacement);
  for (const [pattern, replacement] of PUNCTUATION) text = text.replace(pattern, replacement);
  text = text.replace(PARENS_BRACKETS[0], PARENS_BRACKETS[1]);
  text = text.replace(DOUBLE_DASHES[0], DOUBLE_DASHES[1]);
  text = ` ${text} `;
  for (const [pattern, replacement] of ENDING_QUOTES) text = text.replace(pattern, replacement);
  for (const [pattern, replacement] of CONTRACTIONS) text = text.replace(pattern, replacement);
  return pythonSplit(text);
}

/**
 * `nltk.word_tokenize(text)` for English: Punkt sentences, then the Treebank tokenizer on each.
 */
export function wordTokenize(text: string): string[] {
  return englishSentenceTokenizer()
    .tokenize(text)
    .flatMap((sentence) => treebankTokenize(sentence));
}
