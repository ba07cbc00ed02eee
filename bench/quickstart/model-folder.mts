// Creates Qwen2-shaped model folders with the quickstart's tokenizer (tokenizer.mts: Qwen2's
// byte-level BPE with merges learned on the skills task; the base is the fixture tokenizer of
// @easydistill/plugin-trainer-tfjs, Apache-2.0, project-made).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CausalLM, parseModelConfig } from '@easydistill/llm-tfjs';

export const repoRoot = new URL('../../', import.meta.url).pathname;
const fixture = join(repoRoot, 'packages/plugin-trainer-tfjs/src/__fixtures__/tiny-qwen2');

export interface Shape {
  hidden: number;
  layers: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
}

/** Writes a randomly initialised Qwen2 folder (config, weights, the quickstart tokenizer, ChatML template). */
export async function createModelFolder(dir: string, shape: Shape, seed: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { quickstartTokenizer } = await import('./tokenizer.mts');
  const tokenizer = (await quickstartTokenizer()) as { model: { vocab: Record<string, number> } };
  const vocabSize = Object.keys(tokenizer.model.vocab).length;
  writeFileSync(join(dir, 'tokenizer.json'), `${JSON.stringify(tokenizer)}\n`);
  for (const file of ['chat_template.jinja', 'tokenizer_config.json', 'generation_config.json']) copyFileSync(join(fixture, file), join(dir, file));
  const raw = JSON.parse(readFileSync(join(fixture, 'config.json'), 'utf8'));
  Object.assign(raw, {
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    intermediate_size: shape.intermediate,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: vocabSize,
    layer_types: Array(shape.layers).fill('full_attention'),
    max_position_embeddings: 256,
  });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`);
  const model = CausalLM.fromConfig(parseModelConfig(raw), { seed, std: 0.05 });
  await model.save(dir);
  model.dispose();
}
