import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { looseResponseVariants } from '../score-ifeval';

/** Absolute path of a file in this fixtures folder. */
export const fixturePath = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** Reads a JSON Lines fixture. */
export function readFixtureLines<T>(name: string): T[] {
  return readFileSync(fixturePath(name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** One line of `gpt4_variant_detail.jsonl` (official per-variant features and verdicts). */
export interface VariantDetail {
  key: number;
  instruction_id_list: string[];
  variant_order: string[];
  variant_features: Array<{ count_words: number; count_sentences: number; capital_words: number; langdetect_seed0?: string | null }>;
  verdicts_by_variant: boolean[][];
  nondeterministic: boolean[];
}

/** The official GPT-4 responses with their 8 loose variants and the official per-variant detail. */
export function loadGpt4Variants(): Array<{ detail: VariantDetail; variants: string[] }> {
  const responses = readFixtureLines<{ prompt: string; response: string }>('input_response_data_gpt4_20231107_145030.jsonl');
  const details = readFixtureLines<VariantDetail>('gpt4_variant_detail.jsonl');
  return details.map((detail, index) => ({ detail, variants: looseResponseVariants(responses[index]!.response) }));
}
