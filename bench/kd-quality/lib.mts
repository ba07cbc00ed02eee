// Shared pieces of bench/kd-quality: model shapes, parameter counts, and running a recipe object
// with core's loadRecipe/runRecipe (every training, data and evaluation step of the benchmark is
// a recipe written to disk and run by the toolkit's own runner).
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadRecipe, runRecipe, ProgressReporter, type RunSummary } from '@easydistill/core';
import { SafetensorsFile } from '@easydistill/llm-tfjs';
import { stringify } from 'yaml';
import { createModelFolder, type Shape } from '../quickstart/model-folder.mts';
import { quickstartTokenizer } from '../quickstart/tokenizer.mts';

export const here = new URL('./', import.meta.url).pathname;
export const cacheDir = join(here, '.cache');

/**
 * Qwen2 shapes (tied embeddings) with the quickstart's tokenizer: byte-level BPE with merges learned
 * on the skills task (bench/quickstart/tokenizer.mts, 979 tokens). Names give the parameter count
 * with that vocabulary (`parameterCount`); at these sizes the 979 × hidden embedding is a large
 * share of it (31K of the 56K of `0.06m`).
 */
export const SHAPES: Record<string, Shape> = {
  // teachers
  'teacher-0.9m': { hidden: 128, layers: 4, intermediate: 384, heads: 4, kvHeads: 2 },
  'teacher-0.5m': { hidden: 128, layers: 2, intermediate: 384, heads: 4, kvHeads: 2 },
  'teacher-0.3m': { hidden: 96, layers: 2, intermediate: 288, heads: 4, kvHeads: 2 },
  // students
  '0.06m': { hidden: 32, layers: 2, intermediate: 96, heads: 2, kvHeads: 1 },
  '0.1m': { hidden: 48, layers: 2, intermediate: 144, heads: 4, kvHeads: 2 },
  '0.16m': { hidden: 64, layers: 2, intermediate: 192, heads: 4, kvHeads: 2 },
  '0.3m': { hidden: 96, layers: 2, intermediate: 288, heads: 4, kvHeads: 2 },
  // the student sizes (do not train in the default budget on a 2-core CPU; see NOTES.md)
  '0.5m': { hidden: 128, layers: 3, intermediate: 256, heads: 4, kvHeads: 2 },
  '2m': { hidden: 192, layers: 5, intermediate: 512, heads: 6, kvHeads: 2 },
  '8m': { hidden: 320, layers: 7, intermediate: 960, heads: 8, kvHeads: 2 },
};

/** The models' tokenizer (shared by teacher and students, as top-k KD requires). */
export async function tokenizerInfo(): Promise<{ vocab: number; merges: number; tag: string }> {
  const tokenizer = (await quickstartTokenizer()) as { model: { vocab: Record<string, number>; merges: unknown[] } };
  const tag = createHash('sha256').update(JSON.stringify(tokenizer)).digest('hex').slice(0, 8);
  return { vocab: Object.keys(tokenizer.model.vocab).length, merges: tokenizer.model.merges.length, tag };
}

/** Parameters of a Qwen2 shape with tied embeddings and a vocabulary of `vocab` tokens (979: the quickstart's tokenizer). */
export function parameterCount(shape: Shape, vocab = 979): number {
  const head = shape.hidden / shape.heads;
  const kv = shape.kvHeads * head;
  const attention = shape.hidden * shape.hidden + shape.hidden + 2 * (shape.hidden * kv + kv) + shape.hidden * shape.hidden;
  const mlp = 3 * shape.hidden * shape.intermediate;
  const norms = 2 * shape.hidden;
  return vocab * shape.hidden + shape.layers * (attention + mlp + norms) + shape.hidden;
}

/**
 * Parameters of the model in a folder, counted from its `model.safetensors` header (the element
 * counts of every tensor; a tied embedding is stored once, as in `parameterCount`).
 */
export async function modelFolderParameters(dir: string): Promise<number> {
  const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
  try {
    return [...file.tensors.values()].reduce((sum, tensor) => sum + tensor.shape.reduce((product, dimension) => product * dimension, 1), 0);
  } finally {
    await file.close();
  }
}

/**
 * A name for a model folder given on the command line: its folder name, or for a stage output
 * (`<dir>/run/stages/<stage>/model`, as train-teacher.mts writes) the name of `<dir>`.
 */
export function modelFolderName(dir: string): string {
  let path = resolve(dir);
  while (['model', 'run', 'stages'].includes(basename(path)) || basename(dirname(path)) === 'stages') path = dirname(path);
  return basename(path) || basename(resolve(dir));
}

export function shapeOf(name: string): Shape {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`bench/kd-quality: unknown model size "${name}"; known: ${Object.keys(SHAPES).join(', ')}`);
  return shape;
}

/**
 * A random-initialised model folder, made once per (shape, seed, tokenizer) and kept in the cache
 * (the tokenizer's tag is in the folder name, so a changed tokenizer never reuses stale models).
 */
export async function initialModel(name: string, seed: number): Promise<string> {
  const dir = join(cacheDir, 'init', `${name}-seed-${seed}-tok${(await tokenizerInfo()).tag}`);
  if (!existsSync(join(dir, 'model.safetensors'))) await createModelFolder(dir, shapeOf(name), seed);
  return dir;
}

export function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}

/**
 * Writes `recipe` as `<dir>/recipe.yaml`, loads it with core's loadRecipe (plugins resolved from
 * the benchmark folder) and runs it into `<dir>/run`. A finished run is skipped stage by stage by
 * the runner itself, so re-running the benchmark resumes where it stopped.
 */
export async function runRecipeObject(dir: string, recipe: Record<string, unknown>, quiet = true): Promise<RunSummary> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'recipe.yaml');
  writeFileSync(file, `# Written by bench/kd-quality/run.mts\n${stringify(recipe)}`);
  const resolved = await loadRecipe(file, { searchFrom: [here] });
  // Progress lines go to <dir>/progress.log (or stderr when `quiet` is false).
  const log = quiet ? createWriteStream(join(dir, 'progress.log'), { flags: 'a' }) : undefined;
  const reporter = new ProgressReporter({ mode: 'plain', output: log ?? process.stderr });
  try {
    return await runRecipe(resolved, { runDir: join(dir, 'run'), cwd: dir, reporter });
  } finally {
    await new Promise<void>((done) => (log ? log.end(done) : done()));
  }
}
