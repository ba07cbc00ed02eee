import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { parseModelConfig, type ModelConfig } from '../config/model-config';
import { SafetensorsFolder } from '../safetensors/safetensors-folder';
import { maxAbsDiff } from '../test-support/reference';
import { CausalLM } from './causal-lm';

/*
 * No transformers fixture exists for Qwen3 or for Llama-3 rope scaling, so these tests check the
 * model against a computation written out by hand here, in float64 loops with nothing shared with
 * the model code: the transformers modelling files (Qwen3Attention, LlamaRotaryEmbedding with
 * `_compute_llama3_parameters`) transcribed one operation at a time.
 */

type Weights = Map<string, Float64Array>;

/** Inverse RoPE frequencies as transformers' `_compute_default_rope_parameters` / `_compute_llama3_parameters`. */
function handInverseFrequencies(raw: Record<string, unknown>, headDim: number): number[] {
  const rope = (raw.rope_parameters ?? raw.rope_scaling ?? {}) as Record<string, number | string>;
  const theta = Number(rope.rope_theta ?? raw.rope_theta);
  const inverse = Array.from({ length: headDim / 2 }, (_, index) => 1 / theta ** ((2 * index) / headDim));
  if (rope.rope_type !== 'llama3') return inverse;
  const factor = Number(rope.factor);
  const low = Number(rope.low_freq_factor);
  const high = Number(rope.high_freq_factor);
  const old = Number(rope.original_max_position_embeddings);
  return inverse.map((frequency) => {
    const wavelength = (2 * Math.PI) / frequency;
    if (wavelength < old / high) return frequency;
    if (wavelength > old / low) return frequency / factor;
    const smooth = (old / wavelength - low) / (high - low);
    return ((1 - smooth) * frequency) / factor + smooth * frequency;
  });
}

function rmsNormRow(x: number[], weight: Float64Array, eps: number): number[] {
  const variance = x.reduce((sum, value) => sum + value * value, 0) / x.length;
  return x.map((value, index) => weight[index] * (value / Math.sqrt(variance + eps)));
}

/** `y = W x + b` for W `[out, in]` stored row-major. */
function project(w: Float64Array, x: number[], b?: Float64Array): number[] {
  const out = w.length / x.length;
  return Array.from({ length: out }, (_, row) => {
    let sum = b ? b[row] : 0;
    for (let column = 0; column < x.length; column += 1) sum += w[row * x.length + column] * x[column];
    return sum;
  });
}

function rotate(x: number[], position: number, inverse: number[]): number[] {
  const half = x.length / 2;
  const out = x.slice();
  for (let index = 0; index < half; index += 1) {
    const angle = position * inverse[index];
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    out[index] = x[index] * c - x[index + half] * s;
    out[index + half] = x[index + half] * c + x[index] * s;
  }
  return out;
}

/** Logits `[length][vocab]` of one unpadded sequence, by hand. */
function handForward(raw: Record<string, unknown>, weights: Weights, ids: number[]): number[][] {
  const hidden = raw.hidden_size as number;
  const heads = raw.num_attention_heads as number;
  const kvHeads = raw.num_key_value_heads as number;
  const headDim = (raw.head_dim as number | undefined) ?? hidden / heads;
  const eps = raw.rms_norm_eps as number;
  const qwen3 = raw.model_type === 'qwen3';
  const bias = raw.model_type === 'qwen2';
  const inverse = handInverseFrequencies(raw, headDim);
  const w = (name: string) => weights.get(name)!;
  const embed = w('model.embed_tokens.weight');
  let x = ids.map((id) => Array.from(embed.subarray(id * hidden, (id + 1) * hidden)));
  for (let layer = 0; layer < (raw.num_hidden_layers as number); layer += 1) {
    const prefix = `model.layers.${layer}`;
    const a = `${prefix}.self_attn`;
    const normed = x.map((row) => rmsNormRow(row, w(`${prefix}.input_layernorm.weight`), eps));
    const perHead = (vector: number[], count: number) => Array.from({ length: count }, (_, head) => vector.slice(head * headDim, (head + 1) * headDim));
    const q = normed.map((row, position) =>
      perHead(project(w(`${a}.q_proj.weight`), row, bias ? w(`${a}.q_proj.bias`) : undefined), heads)
        .map((h) => (qwen3 ? rmsNormRow(h, w(`${a}.q_norm.weight`), eps) : h))
        .map((h) => rotate(h, position, inverse)),
    );
    const k = normed.map((row, position) =>
      perHead(project(w(`${a}.k_proj.weight`), row, bias ? w(`${a}.k_proj.bias`) : undefined), kvHeads)
        .map((h) => (qwen3 ? rmsNormRow(h, w(`${a}.k_norm.weight`), eps) : h))
        .map((h) => rotate(h, position, inverse)),
    );
    const v = normed.map((row) => perHead(project(w(`${a}.v_proj.weight`), row, bias ? w(`${a}.v_proj.bias`) : undefined), kvHeads));
    const attended = q.map((queryHeads, position) =>
      queryHeads.flatMap((query, head) => {
        const kvHead = Math.floor(head / (heads / kvHeads)); // repeat_kv
        const scores = Array.from({ length: position + 1 }, (_, key) => query.reduce((sum, value, index) => sum + value * k[key][kvHead][index], 0) / Math.sqrt(headDim));
        const top = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - top));
        const total = exps.reduce((sum, value) => sum + value, 0);
        return Array.from({ length: headDim }, (_, index) => exps.reduce((sum, p, key) => sum + (p / total) * v[key][kvHead][index], 0));
      }),
    );
    x = x.map((row, position) => {
      const o = project(w(`${a}.o_proj.weight`), attended[position]);
      return row.map((value, index) => value + o[index]);
    });
    x = x.map((row) => {
      const post = rmsNormRow(row, w(`${prefix}.post_attention_layernorm.weight`), eps);
      const gate = project(w(`${prefix}.mlp.gate_proj.weight`), post);
      const up = project(w(`${prefix}.mlp.up_proj.weight`), post);
      const down = project(w(`${prefix}.mlp.down_proj.weight`), gate.map((g, index) => (g / (1 + Math.exp(-g))) * up[index]));
      return row.map((value, index) => value + down[index]);
    });
  }
  const head = raw.tie_word_embeddings ? embed : w('lm_head.weight');
  return x.map((row) => project(head, rmsNormRow(row, w('model.norm.weight'), eps)));
}

/** A random model whose norm weights and biases are random too (so q/k norms and biases matter). */
function randomModel(config: ModelConfig, seed: number): { model: CausalLM; weights: Weights } {
  const model = CausalLM.fromConfig(config, { seed, std: 0.25 });
  const weights: Weights = new Map();
  let offset = seed * 1000;
  for (const [name, variable] of model.namedParameters()) {
    if (name.endsWith('norm.weight')) variable.assign(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', (offset += 1)));
    if (name.endsWith('.bias')) variable.assign(tf.randomNormal(variable.shape, 0, 0.3, 'float32', (offset += 1)));
    weights.set(name, Float64Array.from(variable.dataSync()));
  }
  return { model, weights };
}

const QWEN3 = {
  architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2,
  num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, vocab_size: 40, rms_norm_eps: 1e-6, attention_bias: false,
  rope_theta: 1000000, tie_word_embeddings: false, torch_dtype: 'bfloat16', eos_token_id: 7,
};
const LLAMA3 = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2,
  num_attention_heads: 2, num_key_value_heads: 1, vocab_size: 40, rms_norm_eps: 1e-5, tie_word_embeddings: true, dtype: 'float32',
  rope_parameters: { rope_type: 'llama3', rope_theta: 500000, factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 2048 },
};
const QWEN2 = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 32, intermediate_size: 40, num_hidden_layers: 1,
  num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 40, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true,
};
const IDS = [3, 17, 5, 29, 11, 0, 38, 22, 9, 14, 31, 6, 2, 25, 19, 8, 33, 12, 27, 1, 36, 4, 15, 30];

const dir = mkdtempSync(join(tmpdir(), 'llm-tfjs-hand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

describe('the model against a hand computation (wasm)', () => {
  it.each([
    ['Qwen3: per-head q/k RMSNorm, head_dim 16 ≠ hidden/heads, GQA, untied head', QWEN3],
    ['Llama-3 rope scaling (rope_parameters, transformers-5 spelling), tied', LLAMA3],
    ['Qwen2: q/k/v biases (rope_theta, transformers-4 spelling)', QWEN2],
  ])('%s', async (_, raw) => {
    const config = parseModelConfig(raw);
    const { model, weights } = randomModel(config, 5);
    const expected = handForward(raw, weights, IDS);
    const actual = tf.tidy(() => model.forward(tf.tensor2d([IDS], undefined, 'int32'))).arraySync()[0];
    const scale = Math.max(...expected.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(1); // logits large enough for the comparison to mean something
    expect(maxAbsDiff(actual.flat(), expected.flat())).toBeLessThan(1e-4 * scale);

    // The same model through save and load: transformers' tensor names, shapes and the config.
    const target = join(dir, config.modelType);
    await model.save(target);
    const saved = await SafetensorsFolder.open(target);
    const shapes = Object.fromEntries(saved.names().map((name) => [name, saved.entry(name)!.shape]));
    await saved.close();
    if (raw === QWEN3) {
      expect(shapes['model.layers.1.self_attn.q_proj.weight']).toEqual([64, 32]);
      expect(shapes['model.layers.1.self_attn.k_proj.weight']).toEqual([32, 32]);
      expect(shapes['model.layers.1.self_attn.o_proj.weight']).toEqual([32, 64]);
      expect(shapes['model.layers.1.self_attn.q_norm.weight']).toEqual([16]);
      expect(shapes['model.layers.1.self_attn.k_norm.weight']).toEqual([16]);
      expect(shapes['lm_head.weight']).toEqual([40, 32]);
      const written = JSON.parse(readFileSync(join(target, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(written).toMatchObject({ head_dim: 16, torch_dtype: 'float32', tie_word_embeddings: false });
    } else {
      expect(shapes['lm_head.weight']).toBeUndefined();
    }
    const reloaded = await CausalLM.load(target);
    expect(maxAbsDiff(tf.tidy(() => reloaded.forward(tf.tensor2d([IDS], undefined, 'int32'))).dataSync(), actual.flat())).toBe(0);
    reloaded.dispose();
    model.dispose();
  });

  it('tells scaled from unscaled rope: the hand computation without Llama-3 scaling disagrees', () => {
    const plain = { ...LLAMA3, rope_parameters: { rope_type: 'default', rope_theta: 500000 } };
    const { model, weights } = randomModel(parseModelConfig(LLAMA3), 5);
    const actual = tf.tidy(() => model.forward(tf.tensor2d([IDS], undefined, 'int32'))).dataSync();
    const unscaled = handForward(plain, weights, IDS).flat();
    const scaled = handForward(LLAMA3, weights, IDS).flat();
    expect(maxAbsDiff(actual, scaled)).toBeLessThan(1e-4 * Math.max(...scaled.map(Math.abs)));
    expect(maxAbsDiff(actual, unscaled)).toBeGreaterThan(100 * maxAbsDiff(actual, scaled));
    model.dispose();
  });
});
