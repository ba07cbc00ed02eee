import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { DistillError, defineSelector, type RowV1, type RunContextV1, type SelectorV1, type SelectorV1Decision } from '@easydistill/core';
import { packageRoot } from '../shared/package-root';
import { fieldsText, withMeta } from '../shared/row-text';
import { words } from '../shared/text-normalise';
import { ALPACA_EVAL_HASH_FILE, HASHED_NGRAM_SIZE, FOLD, HashedGramSet, finaliseLane, gramLanes, parseDigest, wordHashes } from './hashed-ngrams';

export const decontaminateSelectorOptionsSchema = z.strictObject({
  /**
   * Benchmark prompt sets shipped with the package: IFEval and MT-Bench as text (Apache-2.0),
   * AlpacaEval as hashed 13-grams only (its data is CC BY-NC 4.0, so the text is not shipped).
   */
  benchmarks: z.array(z.enum(['ifeval', 'mt-bench', 'alpaca-eval'])).default(['ifeval', 'mt-bench', 'alpaca-eval']),
  /** A local AlpacaEval file (JSON array or JSONL with `instruction`): used instead of the shipped hashes. */
  alpacaEvalPath: z.string().min(1).optional(),
  /** More local prompt files (JSON array or JSONL; strings or objects with instruction / prompt / turns). */
  extraPaths: z.array(z.string().min(1)).default([]),
  /** Words per n-gram; a benchmark prompt shorter than this is matched as a whole. */
  ngram: z.number().int().min(3).max(50).default(13),
  /** Benchmark prompts shorter than `ngram` words are matched whole when they have at least this many words. */
  minWords: z.number().int().min(1).default(8),
  /** Fields of a row checked (dotted paths). */
  fields: z.array(z.string().min(1)).min(1).default(['instruction', 'input']),
});
export type DecontaminateSelectorOptions = z.output<typeof decontaminateSelectorOptionsSchema>;

/** One benchmark prompt, named for the reason line (`ifeval:1001`). */
export interface BenchmarkPrompt {
  source: string;
  text: string;
}

/** One gram known only by its hash (the shipped AlpacaEval set): `words` is n, or a short whole prompt's length. */
export interface HashedBenchmarkGram {
  source: string;
  lanes: [number, number];
  words: number;
}

/**
 * `synth/decontaminate`: drops rows that share a word n-gram (13 by default, after normalisation)
 * with a benchmark prompt: IFEval and MT-Bench (shipped text), AlpacaEval (shipped as hashed
 * 13-grams, or the text from a local path), or user files. Benchmark prompts shorter than n words
 * are matched whole. Every gram is kept as a 64-bit hash, so text and hashed sources are checked
 * the same way. Streams; the reason names the benchmark item and the row's matching words.
 */
export class DecontaminateSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/decontaminate';
  private readonly grams = new HashedGramSet();
  private readonly lengths: number[];
  /** 1 at every indexed gram length. */
  private readonly lengthFlags: Uint8Array;

  constructor(
    private readonly options: DecontaminateSelectorOptions,
    prompts: readonly BenchmarkPrompt[],
    hashed: readonly HashedBenchmarkGram[] = [],
  ) {
    const lengths = new Set<number>();
    const n = options.ngram;
    for (const prompt of prompts) {
      const tokens = words(prompt.text);
      // Whole short prompts match only when they are long enough to be distinctive.
      if (tokens.length === 0 || (tokens.length < n && tokens.length < options.minWords)) continue;
      const length = Math.min(tokens.length, n);
      const hashes = wordHashes(tokens);
      for (let start = 0; start + length <= tokens.length; start++) this.grams.add(gramLanes(hashes, start, length), prompt.source);
      lengths.add(length);
    }
    if (hashed.length > 0 && n !== HASHED_NGRAM_SIZE) {
      throw new DistillError({
        code: 'INVALID_RECIPE',
        message: `with.ngram: the shipped AlpacaEval prompts are hashed ${HASHED_NGRAM_SIZE}-grams, so ngram must be ${HASHED_NGRAM_SIZE} (it is ${n}); pass the AlpacaEval text with with.alpacaEvalPath, or drop "alpaca-eval" from with.benchmarks.`,
      });
    }
    for (const gram of hashed) {
      if (gram.words < n && gram.words < options.minWords) continue;
      this.grams.add(gram.lanes, gram.source);
      lengths.add(gram.words);
    }
    this.lengths = [...lengths].sort((left, right) => right - left);
    this.lengthFlags = new Uint8Array((this.lengths[0] ?? 0) + 1);
    for (const length of this.lengths) this.lengthFlags[length] = 1;
  }

  /** Distinct n-grams indexed (for logs and tests). */
  get indexedGrams(): number {
    return this.grams.size;
  }

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const n = this.options.ngram;
    for await (const row of rows) {
      const hit = this.find(words(fieldsText(row, this.options.fields)));
      if (hit) yield { row: withMeta(row, { contamination: { source: hit.source, ngram: hit.gram } }), keep: false, reason: `${n}-gram overlap with ${hit.source}: "${hit.gram}"` };
      else yield { row, keep: true };
    }
  }

  /**
   * The first row position holding an indexed gram (the longest one there): one fold per start
   * position yields every indexed length's hash at once.
   */
  private find(tokens: readonly string[]): { gram: string; source: string } | undefined {
    if (tokens.length === 0 || this.lengths.length === 0) return undefined;
    const { a, b } = wordHashes(tokens);
    const flags = this.lengthFlags;
    const maxLength = this.lengths[0]!;
    for (let start = 0; start < tokens.length; start++) {
      let ha: number = FOLD.BASE_A;
      let hb: number = FOLD.BASE_B;
      let hit: { length: number; source: string } | undefined;
      const end = Math.min(tokens.length, start + maxLength);
      for (let index = start; index < end; index++) {
        ha = Math.imul(ha ^ a[index]!, FOLD.PRIME);
        hb = Math.imul(hb ^ b[index]!, FOLD.PRIME);
        const length = index - start + 1;
        if (flags[length] === 0) continue;
        const source = this.grams.lookup(finaliseLane(ha ^ length), finaliseLane(hb ^ length));
        if (source !== undefined) hit = { length, source };
      }
      if (hit) return { gram: tokens.slice(start, start + hit.length).join(' '), source: hit.source };
    }
    return undefined;
  }
}

/**
 * The shipped hashed AlpacaEval grams, unless the options do not ask for AlpacaEval or bring its
 * text (`alpacaEvalPath`). Sources read `alpaca-eval:<item index>`.
 */
export function loadHashedBenchmarkGrams(options: DecontaminateSelectorOptions): HashedBenchmarkGram[] {
  if (!options.benchmarks.includes('alpaca-eval') || options.alpacaEvalPath) return [];
  const file = join(packageRoot(), 'data', ALPACA_EVAL_HASH_FILE);
  if (!existsSync(file)) throw new DistillError({ code: 'INVALID_RECIPE', message: `@easydistill/plugin-synth: ${file} is missing from the package; reinstall it.` });
  const grams: HashedBenchmarkGram[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
    if (line.length === 0 || line.startsWith('#')) return;
    const [digest, item, count] = line.split(' ');
    const lanes = digest ? parseDigest(digest) : undefined;
    if (!lanes || item === undefined) throw new DistillError({ code: 'INVALID_DATASET', message: `${file}:${index + 1}: expected "<16 hex digits> <item index> [<words>]", got ${JSON.stringify(line.slice(0, 80))}` });
    grams.push({ source: `alpaca-eval:${item}`, lanes, words: count === undefined ? HASHED_NGRAM_SIZE : Number(count) });
  });
  return grams;
}

/** Loads the benchmark prompts the options name (text sources; AlpacaEval's hashes come from `loadHashedBenchmarkGrams`). */
export function loadBenchmarkPrompts(options: DecontaminateSelectorOptions, context: Pick<RunContextV1, 'recipeDir'>): BenchmarkPrompt[] {
  const prompts: BenchmarkPrompt[] = [];
  const data = join(packageRoot(), 'data');
  if (options.benchmarks.includes('ifeval')) {
    for (const item of readItems(join(data, 'ifeval-prompts.jsonl'), 'data/ifeval-prompts.jsonl')) {
      const record = item as { key: number; prompt: string };
      prompts.push({ source: `ifeval:${record.key}`, text: record.prompt });
    }
  }
  if (options.benchmarks.includes('mt-bench')) {
    for (const item of readItems(join(data, 'mtbench-questions.jsonl'), 'data/mtbench-questions.jsonl')) {
      const record = item as { question_id: number; turns: string[] };
      record.turns.forEach((turn, index) => prompts.push({ source: `mt-bench:${record.question_id}#${index + 1}`, text: turn }));
    }
  }
  const local: Array<[string, string, string]> = [
    ...(options.alpacaEvalPath ? [[options.alpacaEvalPath, 'alpaca-eval', 'with.alpacaEvalPath'] as [string, string, string]] : []),
    ...options.extraPaths.map((path, index): [string, string, string] => [path, path, `with.extraPaths[${index}]`]),
  ];
  for (const [path, name, optionPath] of local) {
    const file = isAbsolute(path) ? path : resolve(context.recipeDir, path);
    readItems(file, optionPath).forEach((item, index) => {
      for (const text of textsOf(item)) prompts.push({ source: `${name}:${index}`, text });
    });
  }
  return prompts;
}

function textsOf(item: unknown): string[] {
  if (typeof item === 'string') return [item];
  if (!item || typeof item !== 'object') return [];
  const record = item as Record<string, unknown>;
  if (Array.isArray(record.turns)) return record.turns.filter((turn): turn is string => typeof turn === 'string');
  const text = record.instruction ?? record.prompt ?? record.question;
  return typeof text === 'string' ? [text] : [];
}

function readItems(file: string, optionPath: string): unknown[] {
  if (!existsSync(file)) throw new DistillError({ code: 'INVALID_RECIPE', message: `${optionPath}: ${file} does not exist (relative paths resolve against the recipe folder).` });
  const text = readFileSync(file, 'utf8').trim();
  try {
    return text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as unknown);
  } catch (error) {
    throw new DistillError({ code: 'INVALID_DATASET', message: `${optionPath}: ${file} is neither a JSON array nor JSONL: ${(error as Error).message}`, cause: error });
  }
}

export const decontaminateSelectorDefinition = defineSelector({
  id: 'decontaminate',
  description: 'Drops rows sharing a 13-gram with IFEval / MT-Bench / AlpacaEval prompts (AlpacaEval shipped as hashes)',
  optionsSchema: decontaminateSelectorOptionsSchema,
  create: ({ options, context }) => new DecontaminateSelector(options, loadBenchmarkPrompts(options, context), loadHashedBenchmarkGrams(options)),
});
