import { readdirSync, readFileSync } from 'node:fs';
import { packageDataPath } from '../data/package-data-path';
import { extractNgrams, isLatinExtendedAdditional, normalizeVietnamese } from './langdetect-ngram';
import { PythonRandom } from './python-random';

const ALPHA_DEFAULT = 0.5;
const ALPHA_WIDTH = 0.05;
const ITERATION_LIMIT = 1000;
const PROBABILITY_THRESHOLD = 0.1;
const CONVERGENCE_THRESHOLD = 0.99999;
const BASE_FREQUENCY = 10000;
const TRIALS = 7;
const MAX_TEXT_LENGTH = 10000;
const URL = /https?:\/\/[-_.?&~;+=/#0-9A-Za-z]{1,2076}/g;
const MAIL = /[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}/g;

/** Raised when a text has no n-gram known to any profile (Python `LangDetectException`). */
export class LanguageDetectionError extends Error {
  readonly code = 'NO_FEATURES';
}

interface Profiles {
  readonly languages: readonly string[];
  /** gram → sparse [languageIndex, probability] pairs */
  readonly sparse: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
  readonly dense: Map<string, Float64Array>;
}

let profiles: Profiles | undefined;

/**
 * The 55 language profiles of Python `langdetect` 1.0.9 (from Shuyo's language-detection),
 * shipped in `data/langdetect/profiles/`. Languages are ordered by file name.
 */
function loadProfiles(): Profiles {
  if (profiles) return profiles;
  const directory = packageDataPath('langdetect', 'profiles');
  const files = readdirSync(directory).filter((name) => !name.startsWith('.')).sort();
  const sparse = new Map<string, Array<readonly [number, number]>>();
  const languages: string[] = [];
  files.forEach((file, index) => {
    const profile = JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as {
      name: string;
      freq: Record<string, number>;
      n_words: number[];
    };
    languages.push(profile.name);
    for (const [gram, frequency] of Object.entries(profile.freq)) {
      const length = Array.from(gram).length;
      let entries = sparse.get(gram);
      if (!entries) {
        entries = [];
        sparse.set(gram, entries);
      }
      if (length >= 1 && length <= 3) entries.push([index, frequency / profile.n_words[length - 1]!]);
    }
  });
  profiles = { languages, sparse, dense: new Map() };
  return profiles;
}

function denseProbabilities(loaded: Profiles, gram: string): Float64Array {
  let dense = loaded.dense.get(gram);
  if (!dense) {
    dense = new Float64Array(loaded.languages.length);
    for (const [index, probability] of loaded.sparse.get(gram)!) dense[index] = probability;
    loaded.dense.set(gram, dense);
  }
  return dense;
}

/** Options of {@link detectLanguage}. */
export interface DetectLanguageOptions {
  /**
   * Seed of the sampler (`DetectorFactory.seed`). Python langdetect is unseeded by default, so its
   * answer can vary between runs on ambiguous text; a fixed seed makes the result reproducible.
   * Default 0.
   */
  readonly seed?: number;
}

/** One language and its probability, as Python `detect_langs` returns them (p > 0.1, descending). */
export interface LanguageProbability {
  readonly language: string;
  readonly probability: number;
}

/**
 * Python `langdetect.detect_langs(text)` (1.0.9), ported: URL and e-mail removal, Vietnamese
 * normalisation, 10,000-character limit, Latin cleaning, n-gram extraction and the 7-trial
 * naive-Bayes sampling with CPython's Mersenne Twister. Throws {@link LanguageDetectionError} when
 * the text has no usable n-gram.
 */
export function detectLanguageProbabilities(text: string, options: DetectLanguageOptions = {}): LanguageProbability[] {
  const loaded = loadProfiles();
  const cleaned = normalizeVietnamese(text.replace(URL, ' ').replace(MAIL, ' '));
  const appended: string[] = [];
  let previous = '';
  let index = 0;
  for (const character of cleaned) {
    if (index >= MAX_TEXT_LENGTH) break;
    if (character !== ' ' || previous !== ' ') appended.push(character);
    previous = character;
    index += 1;
  }
  let codePoints = appended;
  let latinCount = 0;
  let nonLatinCount = 0;
  for (const character of codePoints) {
    if (character >= 'A' && character <= 'z') latinCount += 1;
    else if (character >= '\u0300' && !isLatinExtendedAdditional(character)) nonLatinCount += 1;
  }
  if (latinCount * 2 < nonLatinCount) codePoints = codePoints.filter((character) => character < 'A' || character > 'z');


  const ngrams = extractNgrams(codePoints, (gram) => loaded.sparse.has(gram));
  if (ngrams.length === 0) throw new LanguageDetectionError('No features in text.');

  const languageCount = loaded.languages.length;
  const languageProbabilities = new Float64Array(languageCount);
  const random = new PythonRandom(options.seed ?? 0);
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const probabilities = new Float64Array(languageCount).fill(1 / languageCount);
    const alpha = ALPHA_DEFAULT + random.gauss(0, 1) * ALPHA_WIDTH;
    const weight = alpha / BASE_FREQUENCY;
    for (let iteration = 0; ; iteration += 1) {
      const gramProbabilities = denseProbabilities(loaded, random.choice(ngrams));
      for (let language = 0; language < languageCount; language += 1) {
        probabilities[language] *= weight + gramProbabilities[language]!;
      }
      if (iteration % 5 === 0) {
        if (normalize(probabilities) > CONVERGENCE_THRESHOLD || iteration >= ITERATION_LIMIT) break;
      }
    }
    for (let language = 0; language < languageCount; language += 1) {
      languageProbabilities[language] += probabilities[language]! / TRIALS;
    }
  }
  const result: LanguageProbability[] = [];
  languageProbabilities.forEach((probability, language) => {
    if (probability > PROBABILITY_THRESHOLD) result.push({ language: loaded.languages[language]!, probability });
  });
  return result.sort((left, right) => right.probability - left.probability);
}

function normalize(probabilities: Float64Array): number {
  let sum = 0;
  for (const probability of probabilities) sum += probability;
  let maximum = 0;
  for (let index = 0; index < probabilities.length; index += 1) {
    const probability = probabilities[index]! / sum;
    if (maximum < probability) maximum = probability;
    probabilities[index] = probability;
  }
  return maximum;
}

/**
 * Python `langdetect.detect(text)`: the most probable language code (e.g. `en`, `zh-cn`), or
 * `unknown` when none is above 0.1. Throws {@link LanguageDetectionError} for text with no features.
 */
export function detectLanguage(text: string, options: DetectLanguageOptions = {}): string {
  return detectLanguageProbabilities(text, options)[0]?.language ?? 'unknown';
}
