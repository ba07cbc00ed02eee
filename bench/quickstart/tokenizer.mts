// The quickstart models' tokenizer: Qwen2's byte-level BPE (same pre-tokenizer, decoder, ChatML
// specials) with merges learned here on the skills task's own text, so that a phrasing word, a
// word of the task's list, its upper-case and reversed forms are one token each. Sequences are
// about a third as long as with bytes alone, which is most of what lets the teacher learn the
// task in minutes on a CPU. Deterministic: the same corpus and limits give the same merges.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fixture = new URL('../../packages/plugin-trainer-tfjs/src/__fixtures__/tiny-qwen2/tokenizer.json', import.meta.url).pathname;

/** GPT-2's byte → printable symbol table, as byte-level BPE vocabularies spell bytes. */
function byteSymbols(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b += 1) printable.push(b);
  for (let b = 161; b <= 172; b += 1) printable.push(b);
  for (let b = 174; b <= 255; b += 1) printable.push(b);
  const symbols: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b += 1) symbols[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + extra++);
  return symbols;
}

// Qwen2's split pattern, without its case-insensitive contractions group (JS has no inline (?i:)),
// which the task's text never uses.
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

export interface TaskTokenizerOptions {
  /** At most this many merges. */
  maxMerges: number;
  /** Stop when the most frequent pair occurs fewer times than this. */
  minFrequency: number;
}

/** A tokenizer.json object: the byte-level base (259 ids) plus merges learned on `texts`. */
export function buildTaskTokenizer(texts: readonly string[], options: TaskTokenizerOptions): Record<string, unknown> {
  const tokenizer = JSON.parse(readFileSync(fixture, 'utf8'));
  const vocab: Record<string, number> = Object.fromEntries(Object.entries(tokenizer.model.vocab as Record<string, number>).filter(([, id]) => id < 259));
  const symbols = byteSymbols();
  const encoder = new TextEncoder();
  // Word → frequency, each word a list of byte symbols.
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const match of text.matchAll(SPLIT)) {
      const word = [...encoder.encode(match[0])].map((byte) => symbols[byte]).join('\u0000');
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const words = [...counts].map(([word, count]) => ({ parts: word.split('\u0000'), count }));
  const merges: Array<[string, string]> = [];
  let next = 259;
  while (merges.length < options.maxMerges) {
    const pairs = new Map<string, number>();
    for (const { parts, count } of words) {
      for (let index = 0; index + 1 < parts.length; index += 1) {
        const key = `${parts[index]}\u0000${parts[index + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairs) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (!best || bestCount < options.minFrequency) break;
    const [left, right] = best.split('\u0000') as [string, string];
    merges.push([left, right]);
    vocab[left + right] = next++;
    for (const word of words) {
      const parts: string[] = [];
      for (let index = 0; index < word.parts.length; index += 1) {
        if (index + 1 < word.parts.length && word.parts[index] === left && word.parts[index + 1] === right) {
          parts.push(left + right);
          index += 1;
        } else parts.push(word.parts[index]!);
      }
      word.parts = parts;
    }
  }
  tokenizer.model.vocab = vocab;
  tokenizer.model.merges = merges;
  return tokenizer;
}

let cached: Record<string, unknown> | undefined;

/**
 * The quickstart's tokenizer, learned on 20,000 teacher-training rows and 10,000 student-base rows
 * (fixed seeds) with the chat template's role lines. Shared by the teacher and the student, as
 * top-k distillation requires.
 */
export async function quickstartTokenizer(): Promise<Record<string, unknown>> {
  if (cached) return cached;
  const { teacherRows } = await import('./teacher-data.mts');
  const { studentBaseRows } = await import('./student-base-data.mts');
  const texts = ['user\n', 'assistant\n', 'system\n'];
  for (const row of [...teacherRows(20_000, 9_001), ...studentBaseRows(10_000, 9_002)]) texts.push(row.instruction!, row.output!);
  cached = buildTaskTokenizer(texts, { maxMerges: 1_500, minFrequency: 12 });
  return cached;
}
