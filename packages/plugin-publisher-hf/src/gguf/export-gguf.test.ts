import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CausalLM, parameterShapes, parseModelConfig, SafetensorsFile, SafetensorsFolder, scoreTopKBatch, writeSafetensorsFolder } from '@easydistill/llm-tfjs';
import { exportGguf, type GgufOutType } from './export-gguf';
import { readGguf } from './read-gguf';
import { permuteRows } from './gguf-architecture';
import { compareLogprobs, llamaCppLogits, llamaCppTokenize } from '../test-support/llama-cpp-logits';

const fixtures = join(import.meta.dirname, '..', '__fixtures__');
const chats = (JSON.parse(await readFile(join(fixtures, 'tokenizer_reference.json'), 'utf8')) as { chats: Array<{ text: string; ids: number[] }> }).chats;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gguf-export-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function referenceLogits(model: string): Promise<Array<{ ids: number[]; logits: Float32Array }>> {
  const reference = await SafetensorsFile.open(join(fixtures, `${model}.reference.safetensors`));
  try {
    const rows = [];
    for (let index = 0; index < 3; index += 1) {
      rows.push({
        ids: Array.from((await reference.read(`ids_${index}`)).data),
        logits: (await reference.read(`logits_${index}`)).data as Float32Array,
      });
    }
    return rows;
  } finally {
    await reference.close();
  }
}

describe.each([
  { model: 'tiny-qwen2', architecture: 'qwen2', tied: true, eps: 1e-6, theta: 1e6, kvHeads: 2 },
  { model: 'tiny-llama', architecture: 'llama', tied: false, eps: 1e-5, theta: 1e4, kvHeads: 1 },
])('exportGguf $model', ({ model, architecture, tied, eps, theta, kvHeads }) => {
  const exported = new Map<GgufOutType, string>();

  beforeAll(async () => {
    for (const outType of ['f32', 'f16', 'q8_0'] as const) {
      const path = join(work, `${model}-${outType}.gguf`);
      await exportGguf({ modelDir: join(fixtures, model), outputPath: path, outType });
      exported.set(outType, path);
    }
  });

  it('writes llama.cpp metadata and the tokenizer', async () => {
    const file = await readGguf(exported.get('f32')!);
    const meta = file.metadata;
    expect(file.version).toBe(3);
    expect(meta.get('general.architecture')).toBe(architecture);
    expect(meta.get(`${architecture}.block_count`)).toBe(2);
    expect(meta.get(`${architecture}.embedding_length`)).toBe(64);
    expect(meta.get(`${architecture}.context_length`)).toBe(512);
    expect(meta.get(`${architecture}.attention.head_count`)).toBe(4);
    expect(meta.get(`${architecture}.attention.head_count_kv`)).toBe(kvHeads);
    expect(meta.get(`${architecture}.rope.freq_base`)).toBe(theta);
    expect(meta.get(`${architecture}.attention.layer_norm_rms_epsilon`)).toBeCloseTo(eps, 12);
    expect(meta.get('tokenizer.ggml.model')).toBe('gpt2');
    expect(meta.get('tokenizer.ggml.pre')).toBe('qwen2');
    const tokens = meta.get('tokenizer.ggml.tokens') as string[];
    expect(tokens).toHaveLength(1000);
    expect(tokens.slice(0, 3)).toEqual(['<|endoftext|>', '<|im_start|>', '<|im_end|>']);
    expect((meta.get('tokenizer.ggml.token_type') as number[]).slice(0, 4)).toEqual([3, 3, 3, 1]);
    expect((meta.get('tokenizer.ggml.merges') as string[])[0]).toBe('Ġ t');
    expect(meta.get('tokenizer.ggml.eos_token_id')).toBe(2);
    expect(meta.get('tokenizer.ggml.padding_token_id')).toBe(0);
    expect(meta.has('tokenizer.ggml.bos_token_id')).toBe(false);
    expect(meta.get('tokenizer.ggml.add_bos_token')).toBe(false);
    expect(meta.get('tokenizer.chat_template')).toBe(await readFile(join(fixtures, model, 'chat_template.jinja'), 'utf8'));
    expect(file.tensors.has('output.weight')).toBe(!tied);
    expect(file.tensors.get('token_embd.weight')!.dimensions).toEqual([64, 1000]);
  });

  it('stores the weights exactly in f32, with Llama q/k rows permuted for llama.cpp rope', async () => {
    const file = await readGguf(exported.get('f32')!);
    const weights = await SafetensorsFolder.open(join(fixtures, model));
    try {
      const embedding = (await weights.read('model.embed_tokens.weight')).data as Float32Array;
      expect(await file.readTensor('token_embd.weight')).toEqual(embedding);
      const query = (await weights.read('model.layers.1.self_attn.q_proj.weight')).data as Float32Array;
      const key = (await weights.read('model.layers.1.self_attn.k_proj.weight')).data as Float32Array;
      const value = (await weights.read('model.layers.1.self_attn.v_proj.weight')).data as Float32Array;
      const permute = architecture === 'llama';
      expect(await file.readTensor('blk.1.attn_q.weight')).toEqual(permute ? permuteRows(query, 64, 64, 4) : query);
      expect(await file.readTensor('blk.1.attn_k.weight')).toEqual(permute ? permuteRows(key, 16 * kvHeads, 64, kvHeads) : key);
      expect(await file.readTensor('blk.1.attn_v.weight')).toEqual(value);
      if (permute) expect(await file.readTensor('blk.1.attn_q.weight')).not.toEqual(query);
    } finally {
      await weights.close();
    }
  });

  it('gives norms f32, weights the out type, and falls back to f16 where rows are not Q8_0 blocks', async () => {
    const f16 = await readGguf(exported.get('f16')!);
    expect(f16.tensors.get('blk.0.attn_norm.weight')!.type).toBe(0);
    expect(f16.tensors.get('blk.0.ffn_up.weight')!.type).toBe(1);
    const q8 = await readGguf(exported.get('q8_0')!);
    expect(q8.metadata.get('general.file_type')).toBe(7);
    expect(q8.tensors.get('blk.0.ffn_up.weight')!.type).toBe(8);
    // ffn_down rows are the MLP width (172 / 176), not a multiple of 32: F16, as convert_hf_to_gguf.py.
    expect(q8.tensors.get('blk.0.ffn_down.weight')!.type).toBe(1);
    if (architecture === 'qwen2') expect(q8.tensors.get('blk.0.attn_q.bias')!.type).toBe(0);
  });

  it('tokenises the fixture chats as the Hugging Face tokenizer does', async () => {
    const ids = await llamaCppTokenize(exported.get('f32')!, chats.map((chat) => chat.text));
    expect(ids).toEqual(chats.map((chat) => chat.ids));
  });

  it('llama.cpp (node-llama-cpp) reproduces the llm-tfjs and transformers next-token log-probabilities', async () => {
    const references = await referenceLogits(model);
    const ids = references.map((row) => row.ids);
    const ours = await llmTfjsLogits(join(fixtures, model), ids);
    // llm-tfjs itself matches transformers on these fixtures (its own tests); check it here too so
    // a disagreement below points at the GGUF file, not at the reference.
    for (const [index, row] of references.entries()) expect(compareLogprobs(ours[index], row.logits, 1000).maxLogprobDiff).toBeLessThan(1e-4);
    const figures = await checkAgainst(exported, ids, ours);
    console.log(`${model} llama.cpp vs llm-tfjs:`, figures);
  });
});

describe('exportGguf tiny-qwen3 (q/k norms, explicit head_dim, untied)', () => {
  const exported = new Map<GgufOutType, string>();
  let modelDir: string;
  const ids = chats.map((chat) => chat.ids);

  beforeAll(async () => {
    modelDir = join(work, 'tiny-qwen3');
    await writeTinyQwen3(modelDir);
    for (const outType of ['f32', 'f16', 'q8_0'] as const) {
      const path = join(work, `tiny-qwen3-${outType}.gguf`);
      await exportGguf({ modelDir, outputPath: path, outType });
      exported.set(outType, path);
    }
  });

  it('writes the qwen3 architecture with its q/k norm tensors and an output matrix', async () => {
    const file = await readGguf(exported.get('f32')!);
    expect(file.metadata.get('general.architecture')).toBe('qwen3');
    expect(file.metadata.get('qwen3.attention.key_length')).toBe(32);
    expect(file.metadata.get('qwen3.attention.head_count_kv')).toBe(2);
    expect(file.tensors.get('blk.1.attn_q_norm.weight')!.dimensions).toEqual([32]);
    expect(file.tensors.get('blk.1.attn_q.weight')!.dimensions).toEqual([64, 128]);
    expect(file.tensors.has('output.weight')).toBe(true);
    expect(file.tensors.has('blk.0.attn_q.bias')).toBe(false);
  });

  it('llama.cpp (node-llama-cpp) reproduces the llm-tfjs next-token log-probabilities', async () => {
    const ours = await llmTfjsLogits(modelDir, ids);
    const figures = await checkAgainst(exported, ids, ours);
    console.log('tiny-qwen3 llama.cpp vs llm-tfjs:', figures);
  });
});

/**
 * llm-tfjs (float32, tfjs cpu backend) log-probabilities at every position of each sequence,
 * `[T * vocab]`: teacher-forced scoring with k = vocabulary (the full distribution), the
 * response being the sequence shifted by one plus a placeholder for the last position.
 */
async function llmTfjsLogits(modelDir: string, sequences: number[][]): Promise<Float32Array[]> {
  const model = await CausalLM.load(modelDir);
  try {
    const vocab = model.config.vocabSize;
    const scored = await scoreTopKBatch(model, sequences.map((ids) => ({ prompt: ids.slice(0, 1), response: [...ids.slice(1), 0] })), vocab);
    return scored.map((positions) => {
      const logits = new Float32Array(positions.length * vocab);
      positions.forEach((position, index) => {
        for (const entry of position.top) logits[index * vocab + entry.id] = entry.logprob;
      });
      return logits;
    });
  } finally {
    model.dispose();
  }
}

/**
 * Compares llama.cpp's logits of each exported file with `expected`: f32 must agree on every
 * top-1 token with log-probabilities within 1e-3; f16 on 98% of top-1 tokens (a near tie of
 * random weights may flip under f16 rounding); q8_0 on at least 90%.
 */
async function checkAgainst(exported: Map<GgufOutType, string>, ids: number[][], expected: Float32Array[]): Promise<Record<string, string>> {
  const figures: Record<string, string> = {};
  const measured: Record<string, { top1: number; positions: number; maxDiff: number }> = {};
  for (const outType of ['f32', 'f16', 'q8_0'] as const) {
    const logits = await llamaCppLogits(exported.get(outType)!, ids, { exact: true });
    let top1 = 0;
    let positions = 0;
    let maxDiff = 0;
    for (const [index, row] of expected.entries()) {
      const comparison = compareLogprobs(logits[index], row, 1000);
      top1 += comparison.top1Agreement * comparison.positions;
      positions += comparison.positions;
      maxDiff = Math.max(maxDiff, comparison.maxLogprobDiff);
    }
    top1 = Math.round(top1);
    measured[outType] = { top1, positions, maxDiff };
    figures[outType] = `top-1 ${top1}/${positions}, max |Δ log p| ${maxDiff.toExponential(2)}`;
  }
  const { f32, f16, q8_0: q8 } = measured;
  expect(f32.top1, JSON.stringify(figures)).toBe(f32.positions);
  expect(f32.maxDiff, JSON.stringify(figures)).toBeLessThan(1e-3);
  expect(f16.top1 / f16.positions, JSON.stringify(figures)).toBeGreaterThanOrEqual(0.98);
  expect(f16.maxDiff, JSON.stringify(figures)).toBeLessThan(2e-2);
  expect(q8.top1 / q8.positions, JSON.stringify(figures)).toBeGreaterThan(0.9);
  expect(q8.maxDiff, JSON.stringify(figures)).toBeLessThan(0.5);
  return figures;
}

/**
 * A tiny random Qwen3 checkpoint written with llm-tfjs's safetensors writer (4 heads of 32 = 128 wide q over a 64 hidden,
 * so head_dim differs from hidden / heads as in real Qwen3) in transformers' layout, with the
 * fixture tokenizer. Norm weights are drawn in [0.8, 1.2] so a mis-mapped q/k norm changes the logits.
 */
async function writeTinyQwen3(dir: string): Promise<void> {
  const config = parseModelConfig({
    architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, head_dim: 32, vocab_size: 1000, max_position_embeddings: 512,
    rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: false, attention_bias: false, eos_token_id: 2, pad_token_id: 0,
  });
  // A seeded LCG + Box-Muller: weights normal(0, 0.08), norms uniform in [0.8, 1.2].
  let state = 11;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const sources = [...parameterShapes(config)].map(([name, shape]) => ({
    name,
    shape,
    read: async () => {
      const values = new Float32Array(shape.reduce((product, size) => product * size, 1));
      for (let index = 0; index < values.length; index += 1) {
        values[index] = name.endsWith('norm.weight') ? 0.8 + 0.4 * uniform() : 0.08 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      }
      return values;
    },
  }));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config.raw, null, 2));
  await writeSafetensorsFolder(dir, sources, { dtype: 'float32' });
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'generation_config.json']) {
    await cp(join(fixtures, 'tiny-qwen2', file), join(dir, file));
  }
}

describe('exportGguf refusals', () => {
  it('names the file and the supported types for an unsupported architecture', async () => {
    const dir = join(work, 'gemma');
    await cp(join(fixtures, 'tiny-qwen2'), dir, { recursive: true });
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'gemma' }));
    await expect(exportGguf({ modelDir: dir, outputPath: join(work, 'x.gguf'), outType: 'f16' })).rejects.toThrow(/config\.json.*gemma/);
  });

  it('asks for tokenizer.json when it is missing, and leaves no partial file', async () => {
    const dir = join(work, 'no-tokenizer');
    await cp(join(fixtures, 'tiny-llama'), dir, { recursive: true });
    await rm(join(dir, 'tokenizer.json'));
    await expect(exportGguf({ modelDir: dir, outputPath: join(work, 'y.gguf'), outType: 'f32' })).rejects.toThrow(/tokenizer\.json is missing/);
  });

  it('refuses an unknown out type', async () => {
    await expect(exportGguf({ modelDir: join(fixtures, 'tiny-llama'), outputPath: join(work, 'z.gguf'), outType: 'q4_0' as never })).rejects.toThrow(/f32, f16, q8_0/);
  });
});
