import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { DistillError, defineSelector, type RowV1, type RunContextV1, type SelectorV1, type SelectorV1Decision } from '@easydistill/core';
import { packageRoot } from '../shared/package-root';
import { fieldsText, withMeta } from '../shared/row-text';
import { words } from '../shared/text-normalise';

export const decontaminateSelectorOptionsSchema = z.strictObject({
  /** Shipped benchmark prompt sets to check against (both Apache-2.0). */
  benchmarks: z.array(z.enum(['ifeval', 'mt-bench'])).default(['ifeval', 'mt-bench']),
  /** Local AlpacaEval file (JSON array or JSONL with `instruction`); CC BY-NC data, so never shipped. */
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

/**
 * `synth/decontaminate`: drops rows that share a word n-gram (13 by default, after normalisation)
 * with a benchmark prompt: IFEval and MT-Bench (shipped), AlpacaEval (from a local path), or
 * user files. Streams; the reason names the benchmark item.
 */
export class DecontaminateSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/decontaminate';
  private readonly grams = new Map<string, string>();
  private readonly lengths: number[];

  constructor(
    private readonly options: DecontaminateSelectorOptions,
    prompts: readonly BenchmarkPrompt[],
  ) {
    const lengths = new Set<number>();
    for (const prompt of prompts) {
      const tokens = words(prompt.text);
      // Whole short prompts match only when they are long enough to be distinctive.
      if (tokens.length < options.ngram && tokens.length < options.minWords) continue;
      for (const gram of ngrams(tokens, options.ngram)) {
        if (!this.grams.has(gram)) this.grams.set(gram, prompt.source);
        lengths.add(Math.min(tokens.length, options.ngram));
      }
    }
    this.lengths = [...lengths].sort((left, right) => right - left);
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

  /** First indexed gram found in the row: every window of every indexed length (n, and short whole prompts). */
  private find(tokens: readonly string[]): { gram: string; source: string } | undefined {
    for (const length of this.lengths) {
      for (let start = 0; start + length <= tokens.length; start++) {
        const gram = tokens.slice(start, start + length).join(' ');
        const source = this.grams.get(gram);
        if (source) return { gram, source };
      }
    }
    return undefined;
  }
}

/** The n-grams of a word list; a list shorter than n is one whole "gram". */
export function ngrams(tokens: readonly string[], n: number): string[] {
  if (tokens.length === 0) return [];
  if (tokens.length < n) return [tokens.join(' ')];
  const grams: string[] = [];
  for (let start = 0; start + n <= tokens.length; start++) grams.push(tokens.slice(start, start + n).join(' '));
  return grams;
}

/** Loads the benchmark prompts the options name. */
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
  description: 'Drops rows sharing a 13-gram with IFEval / MT-Bench / AlpacaEval (local) prompts',
  optionsSchema: decontaminateSelectorOptionsSchema,
  create: ({ options, context }) => new DecontaminateSelector(options, loadBenchmarkPrompts(options, context)),
});
