import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile, SafetensorsFolder } from '@easydistill/llm-tfjs';
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

  it('llama.cpp (node-llama-cpp) reproduces the transformers next-token log-probabilities', async () => {
    const references = await referenceLogits(model);
    const figures: Record<string, string> = {};
    for (const outType of ['f32', 'f16', 'q8_0'] as const) {
      const logits = await llamaCppLogits(exported.get(outType)!, references.map((row) => row.ids), { exact: true });
      let top1 = 0;
      let positions = 0;
      let maxDiff = 0;
      for (const [index, row] of references.entries()) {
        const comparison = compareLogprobs(logits[index], row.logits, 1000);
        top1 += comparison.top1Agreement * comparison.positions;
        positions += comparison.positions;
        maxDiff = Math.max(maxDiff, comparison.maxLogprobDiff);
      }
      figures[outType] = `top-1 ${top1}/${positions}, max |Δ log p| ${maxDiff.toExponential(2)}`;
      if (outType === 'f32') {
        expect(top1).toBe(positions);
        expect(maxDiff).toBeLessThan(1e-3);
      } else if (outType === 'f16') {
        expect(top1).toBe(positions);
        expect(maxDiff).toBeLessThan(2e-2);
      } else {
        expect(top1 / positions).toBeGreaterThan(0.9);
        expect(maxDiff).toBeLessThan(0.5);
      }
    }
    console.log(`${model} llama.cpp vs transformers:`, figures);
  });
});

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
