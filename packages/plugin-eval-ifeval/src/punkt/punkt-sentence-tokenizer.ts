import { firstCodePoint, pythonIsLower, pythonIsUpper, pythonRstrip, pythonStrip, PY_NOT_S, PY_S } from '../python/python-string';
import { loadEnglishPunktParameters, type PunktParameters } from './punkt-parameters';

// Orthographic context flags (NLTK punkt.py).
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UC = (1 << 1) | (1 << 2) | (1 << 3);
const ORTHO_LC = (1 << 4) | (1 << 5) | (1 << 6);

const SENTENCE_END_CHARACTERS = new Set(['.', '?', '!']);
const PUNCTUATION = new Set([';', ':', ',', '.', '!', '?']);

// PunktLanguageVars, English defaults, with Python's \s and \S.
const NON_WORD = String.raw`(?:[)";}\]*:@'({\[?!])`;
const MULTI_CHARACTER = String.raw`(?:-{2,}|\.{2,}|(?:\.${PY_S}){2,}\.)`;
const WORD_START = String.raw`[^("` + '`' + String.raw`{\[:;&#*@)}\]\-,]`;
const WORD_TOKENIZER = new RegExp(
  `${MULTI_CHARACTER}|(?=${WORD_START})${PY_NOT_S}+?(?=${PY_S}|$|${NON_WORD}|${MULTI_CHARACTER}|,(?=$|${PY_S}|${NON_WORD}|${MULTI_CHARACTER}))|${PY_NOT_S}`,
  'gu',
);
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(${NON_WORD}|${PY_S}+(${PY_NOT_S}+)))`, 'gu');
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${PY_S}+|(?=--)|(?![\\s\\S]))`, 'u');

const NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const ELLIPSIS = /^\.\.+$/;
const INITIAL = /^(?:(?!\p{Nd})[\p{L}\p{N}_])\.$/u;
/** `string.whitespace`, used by NLTK to find the word before a potential sentence end. */
const ASCII_WHITESPACE = new Set([' ', '\t', '\n', '\r', '\x0b', '\x0c']);

interface PunktToken {
  readonly token: string;
  readonly type: string;
  readonly periodFinal: boolean;
  sentenceBreak: boolean;
  abbreviation: boolean;
  ellipsis: boolean;
}

interface PeriodMatch {
  readonly start: number;
  readonly end: number;
  readonly afterToken: string;
  /** Start of the token after the whitespace, or undefined when the context is punctuation. */
  readonly nextTokenStart: number | undefined;
}

/**
 * NLTK's `PunktSentenceTokenizer` (version 3.8 inference, `realign_boundaries=True`), ported to
 * TypeScript. With the English parameters it splits text exactly as `nltk.sent_tokenize` does,
 * which is what IFEval's `count_sentences` counts.
 */
export class PunktSentenceTokenizer {
  constructor(private readonly parameters: PunktParameters = loadEnglishPunktParameters()) {}

  /** The sentences of `text` (NLTK `tokenize`). */
  tokenize(text: string): string[] {
    return this.spanTokenize(text).map(([start, end]) => text.slice(start, end));
  }

  /** Sentence spans as `[start, end)` UTF-16 offsets into `text` (NLTK `span_tokenize`). */
  spanTokenize(text: string): Array<[number, number]> {
    return realignBoundaries(text, this.slicesFromText(text));
  }

  private slicesFromText(text: string): Array<[number, number]> {
    const slices: Array<[number, number]> = [];
    let lastBreak = 0;
    for (const [match, context] of matchPotentialEndContexts(text)) {
      if (this.textContainsSentenceBreak(context)) {
        slices.push([lastBreak, match.end]);
        lastBreak = match.nextTokenStart ?? match.end;
      }
    }
    slices.push([lastBreak, pythonRstrip(text).length]);
    return slices;
  }

  /** True when some token of `text` ends a sentence and is followed by another token. */
  textContainsSentenceBreak(text: string): boolean {
    const tokens = this.annotateTokens(tokenizeWords(text));
    for (let index = 0; index < tokens.length - 1; index += 1) {
      if (tokens[index]!.sentenceBreak) return true;
    }
    return false;
  }

  private annotateTokens(tokens: PunktToken[]): PunktToken[] {
    for (const token of tokens) this.firstPassAnnotation(token);
    for (let index = 0; index < tokens.length - 1; index += 1) {
      this.secondPassAnnotation(tokens[index]!, tokens[index + 1]!);
    }
    return tokens;
  }

  private firstPassAnnotation(token: PunktToken): void {
    const text = token.token;
    if (SENTENCE_END_CHARACTERS.has(text)) {
      token.sentenceBreak = true;
    } else if (ELLIPSIS.test(text)) {
      token.ellipsis = true;
    } else if (token.periodFinal && !text.endsWith('..')) {
      const withoutPeriod = text.slice(0, -1).toLowerCase();
      const lastPiece = withoutPeriod.split('-').at(-1)!;
      if (this.parameters.abbreviationTypes.has(withoutPeriod) || this.parameters.abbreviationTypes.has(lastPiece)) {
        token.abbreviation = true;
      } else {
        token.sentenceBreak = true;
      }
    }
  }

  private secondPassAnnotation(first: PunktToken, second: PunktToken): void {
    if (!first.periodFinal) return;
    const type = typeNoPeriod(first);
    const nextType = typeNoSentencePeriod(second);
    const isInitial = INITIAL.test(first.token);

    if (this.parameters.collocations.has(`${type}\t${nextType}`)) {
      first.sentenceBreak = false;
      first.abbreviation = true;
      return;
    }
    if ((first.abbreviation || first.ellipsis) && !isInitial) {
      const isSentenceStarter = this.orthoHeuristic(second);
      if (isSentenceStarter === true) {
        first.sentenceBreak = true;
        return;
      }
      if (firstUpper(second) && this.parameters.sentenceStarters.has(nextType)) {
        first.sentenceBreak = true;
        return;
      }
    }
    if (isInitial || type === '##number##') {
      const isSentenceStarter = this.orthoHeuristic(second);
      if (isSentenceStarter === false) {
        first.sentenceBreak = false;
        first.abbreviation = true;
        return;
      }
      if (
        isSentenceStarter === 'unknown' &&
        isInitial &&
        firstUpper(second) &&
        !((this.parameters.orthoContext.get(nextType) ?? 0) & ORTHO_LC)
      ) {
        first.sentenceBreak = false;
        first.abbreviation = true;
      }
    }
  }

  private orthoHeuristic(token: PunktToken): boolean | 'unknown' {
    if (PUNCTUATION.has(token.token)) return false;
    const context = this.parameters.orthoContext.get(typeNoSentencePeriod(token)) ?? 0;
    if (firstUpper(token) && context & ORTHO_LC && !(context & ORTHO_MID_UC)) return true;
    if (firstLower(token) && (context & ORTHO_UC || !(context & ORTHO_BEG_LC))) return false;
    return 'unknown';
  }
}

function createToken(token: string): PunktToken {
  const lower = token.toLowerCase();
  return {
    token,
    type: NUMERIC.test(lower) ? '##number##' : lower,
    periodFinal: token.endsWith('.'),
    sentenceBreak: false,
    abbreviation: false,
    ellipsis: false,
  };
}

function typeNoPeriod(token: PunktToken): string {
  // `len(type) > 1` in code points; a final "." is one code unit, so any length ≥ 2 units with a
  // final "." has at least 2 code points.
  return token.type.length > 1 && token.type.endsWith('.') ? token.type.slice(0, -1) : token.type;
}

function typeNoSentencePeriod(token: PunktToken): string {
  return token.sentenceBreak ? typeNoPeriod(token) : token.type;
}

function firstUpper(token: PunktToken): boolean {
  return pythonIsUpper(firstCodePoint(token.token));
}

function firstLower(token: PunktToken): boolean {
  return pythonIsLower(firstCodePoint(token.token));
}

/** Punkt word tokenization of every non-blank line (NLTK `_tokenize_words`). */
function tokenizeWords(text: string): PunktToken[] {
  const tokens: PunktToken[] = [];
  for (const line of text.split('\n')) {
    if (pythonStrip(line) === '') continue;
    for (const match of line.matchAll(WORD_TOKENIZER)) tokens.push(createToken(match[0]));
  }
  return tokens;
}

/** NLTK `_match_potential_end_contexts`: each candidate sentence end with its context string. */
function matchPotentialEndContexts(text: string): Array<[PeriodMatch, string]> {
  const results: Array<[PeriodMatch, string]> = [];
  let previousSlice: [number, number] = [0, 0];
  let previousMatch: PeriodMatch | undefined;
  const contextOf = (match: PeriodMatch, slice: [number, number]): string =>
    text.slice(slice[0], slice[1]) + text.slice(match.start, match.end) + match.afterToken;
  for (const found of text.matchAll(PERIOD_CONTEXT)) {
    const start = found.index;
    const afterToken = found[1]!;
    const nextToken = found[2];
    const match: PeriodMatch = {
      start,
      end: start + 1,
      afterToken,
      nextTokenStart: nextToken === undefined ? undefined : start + 1 + afterToken.length - nextToken.length,
    };
    const before = text.slice(previousSlice[1], start);
    let lastWhitespace = 0;
    for (let index = before.length - 1; index >= 0; index -= 1) {
      if (ASCII_WHITESPACE.has(before[index]!)) {
        lastWhitespace = index;
        break;
      }
    }
    const wordStart = lastWhitespace ? lastWhitespace + previousSlice[1] + 1 : previousSlice[0];
    const previousWordSlice: [number, number] = [wordStart, start];
    if (previousMatch && previousSlice[1] <= previousWordSlice[0]) {
      results.push([previousMatch, contextOf(previousMatch, previousSlice)]);
    }
    previousMatch = match;
    previousSlice = previousWordSlice;
  }
  if (previousMatch) results.push([previousMatch, contextOf(previousMatch, previousSlice)]);
  return results;
}

/** NLTK `_realign_boundaries`: moves closing quotes and brackets after a period into its sentence. */
function realignBoundaries(text: string, slices: Array<[number, number]>): Array<[number, number]> {
  const output: Array<[number, number]> = [];
  let realign = 0;
  for (let index = 0; index < slices.length; index += 1) {
    const first: [number, number] = [slices[index]![0] + realign, slices[index]![1]];
    const second = slices[index + 1];
    if (second === undefined) {
      if (first[1] > first[0]) output.push(first);
      continue;
    }
    const match = BOUNDARY_REALIGNMENT.exec(text.slice(second[0], second[1]));
    if (match) {
      output.push([first[0], second[0] + pythonRstrip(match[0]).length]);
      realign = match[0].length;
    } else {
      realign = 0;
      if (first[1] > first[0]) output.push(first);
    }
  }
  return output;
}

let englishTokenizer: PunktSentenceTokenizer | undefined;

/** The shared English Punkt tokenizer (NLTK `english.pickle` parameters). */
export function englishSentenceTokenizer(): PunktSentenceTokenizer {
  englishTokenizer ??= new PunktSentenceTokenizer();
  return englishTokenizer;
}

/** IFEval `count_sentences`: the number of Punkt English sentences in `text`. */
export function countSentences(text: string): number {
  return englishSentenceTokenizer().spanTokenize(text).length;
}
