import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SafetensorsFile, type LoadedTensor } from '../safetensors/safetensors-file';

/** Folder of this package's copied fixtures (see `__fixtures__/SOURCE.md`). */
export const FIXTURES = fileURLToPath(new URL('../__fixtures__/', import.meta.url));
export const MODELS = ['tiny-qwen2', 'tiny-llama'] as const;

/** Every tensor of `<model>.reference.safetensors`. */
export async function loadReference(model: string): Promise<Map<string, LoadedTensor>> {
  const file = await SafetensorsFile.open(`${FIXTURES}${model}.reference.safetensors`);
  const tensors = new Map<string, LoadedTensor>();
  for (const name of file.names()) tensors.set(name, await file.read(name));
  await file.close();
  return tensors;
}

export interface TokenizerReference {
  strings: { text: string; ids: number[]; decoded: string }[];
  chats: { messages: { role: string; content: string }[]; text: string; ids: number[] }[];
}

export function tokenizerReference(): TokenizerReference {
  return JSON.parse(readFileSync(`${FIXTURES}tokenizer_reference.json`, 'utf8')) as TokenizerReference;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < a.length; index += 1) max = Math.max(max, Math.abs(a[index] - b[index]));
  return max;
}

export function relativeNormDiff(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let index = 0; index < reference.length; index += 1) {
    diff += (actual[index] - reference[index]) ** 2;
    norm += reference[index] ** 2;
  }
  return Math.sqrt(diff) / Math.sqrt(norm);
}
