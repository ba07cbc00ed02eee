import { readFileSync } from 'node:fs';
import { packageDataPath } from '../data/package-data-path';
import { pythonIsUpper } from '../python/python-string';

/**
 * Character normalisation and n-gram extraction of Python `langdetect` 1.0.9
 * (`langdetect/utils/ngram.py`), with its tables read from the shipped `messages.properties`.
 */

const LATIN_EXTENDED_ADDITIONAL: readonly [number, number] = [0x1e00, 0x1eff];

interface NgramTables {
  readonly latin1Excluded: string;
  readonly cjkMap: ReadonlyMap<string, string>;
  readonly vietnameseAlphabet: string;
  readonly vietnameseMarks: string;
  readonly vietnameseNormalized: readonly string[];
  readonly vietnamesePattern: RegExp;
}

let tables: NgramTables | undefined;

function loadTables(): NgramTables {
  if (tables) return tables;
  const messages = new Map<string, string>();
  const file = packageDataPath('langdetect', 'messages.properties');
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    const separator = trimmed.indexOf('=');
    if (separator < 0) continue;
    const value = trimmed
      .slice(separator + 1)
      .replace(/\\u([0-9a-fA-F]{4})/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    messages.set(trimmed.slice(0, separator), value);
  }
  const get = (key: string): string => {
    const value = messages.get(key);
    if (value === undefined) throw new Error(`${file}: missing key ${key}; the shipped langdetect data is incomplete.`);
    return value;
  };
  const cjkMap = new Map<string, string>();
  for (const [key, value] of messages) {
    if (!key.startsWith('NGram.KANJI_')) continue;
    const characters = Array.from(value);
    for (const character of characters) cjkMap.set(character, characters[0]!);
  }
  const vietnameseAlphabet = get('TO_NORMALIZE_VI_CHARS');
  const vietnameseMarks = get('DMARK_CLASS');
  tables = {
    latin1Excluded: get('NGram.LATIN1_EXCLUDE'),
    cjkMap,
    vietnameseAlphabet,
    vietnameseMarks,
    vietnameseNormalized: ['0300', '0301', '0303', '0309', '0323'].map((mark) => get(`NORMALIZED_VI_CHARS_${mark}`)),
    vietnamesePattern: new RegExp(`([${vietnameseAlphabet}])([${vietnameseMarks}])`, 'gu'),
  };
  return tables;
}

function inRange(codePoint: number, start: number, end: number): boolean {
  return codePoint >= start && codePoint <= end;
}

/** `Detector.cleaning_text` helper: is the character in the Latin Extended Additional block? */
export function isLatinExtendedAdditional(character: string): boolean {
  return inRange(character.codePointAt(0)!, LATIN_EXTENDED_ADDITIONAL[0], LATIN_EXTENDED_ADDITIONAL[1]);
}

/** `NGram.normalize(ch)` for one code point. */
export function normalizeCharacter(character: string): string {
  const codePoint = character.codePointAt(0)!;
  if (codePoint <= 0x7f) {
    return character < 'A' || (character > 'Z' && character < 'a') || character > 'z' ? ' ' : character;
  }
  if (inRange(codePoint, 0x80, 0xff)) return loadTables().latin1Excluded.includes(character) ? ' ' : character;
  if (inRange(codePoint, 0x180, 0x24f)) {
    if (character === '\u0219') return '\u015f';
    if (character === '\u021b') return '\u0163';
    return character;
  }
  if (inRange(codePoint, 0x2000, 0x206f)) return ' ';
  if (inRange(codePoint, 0x600, 0x6ff)) return character === '\u06cc' ? '\u064a' : character;
  if (inRange(codePoint, 0x1e00, 0x1eff)) return codePoint >= 0x1ea0 ? '\u1ec3' : character;
  if (inRange(codePoint, 0x3040, 0x309f)) return '\u3042';
  if (inRange(codePoint, 0x30a0, 0x30ff)) return '\u30a2';
  if (inRange(codePoint, 0x3100, 0x312f) || inRange(codePoint, 0x31a0, 0x31bf)) return '\u3105';
  if (inRange(codePoint, 0x4e00, 0x9fff)) return loadTables().cjkMap.get(character) ?? character;
  if (inRange(codePoint, 0xac00, 0xd7af)) return '\uac00';
  return character;
}

/** `NGram.normalize_vi(text)`: Vietnamese letter + combining mark → precomposed letter. */
export function normalizeVietnamese(text: string): string {
  const { vietnameseAlphabet, vietnameseMarks, vietnameseNormalized, vietnamesePattern } = loadTables();
  return text.replace(vietnamesePattern, (_whole, letter: string, mark: string) => {
    const markIndex = vietnameseMarks.indexOf(mark);
    const letterIndex = vietnameseAlphabet.indexOf(letter);
    return vietnameseNormalized[markIndex]![letterIndex]!;
  });
}

/**
 * `Detector._extract_ngrams`: the 1- to 3-grams of `codePoints` that have a profile entry,
 * skipping grams inside runs of capital letters, in text order.
 */
export function extractNgrams(codePoints: readonly string[], hasProfile: (gram: string) => boolean): string[] {
  const result: string[] = [];
  let grams: string[] = [' '];
  let capitalWord = false;
  for (const raw of codePoints) {
    const character = normalizeCharacter(raw);
    const lastCharacter = grams[grams.length - 1]!;
    let added = true;
    if (lastCharacter === ' ') {
      grams = [' '];
      capitalWord = false;
      if (character === ' ') added = false;
    } else if (grams.length >= 3) {
      grams = grams.slice(1);
    }
    if (added) {
      grams.push(character);
      if (pythonIsUpper(character)) {
        if (pythonIsUpper(lastCharacter)) capitalWord = true;
      } else {
        capitalWord = false;
      }
    }
    if (capitalWord) continue;
    for (let size = 1; size <= 3; size += 1) {
      if (grams.length < size) break;
      const gram = grams.slice(grams.length - size).join('');
      if (gram !== ' ' && hasProfile(gram)) result.push(gram);
    }
  }
  return result;
}
