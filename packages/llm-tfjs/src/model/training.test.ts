import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { parseModelConfig } from '../config/model-config';
import { FIXTURES, loadReference, maxAbsDiff } from '../test-support/reference';
import { CausalLM } from './causal-lm';
import { causalLmLoss } from './causal-lm-loss';
import { KVCache } from './kv-cache';

const dir = mkdtempSync(join(tmpdir(), 'llm-tfjs-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('training loop memory (wasm)', () => {
  it('keeps tf.memory().numTensors constant over 50 Adam steps while the loss falls', async () => {
    const model = await CausalLM.load(`${FIXTURES}tiny-qwen2`);
    const reference = await loadReference('tiny-qwen2');
    const ids = tf.tensor2d(reference.get('batch_ids')!.data as Int32Array, [3, 84], 'int32');
    const mask = tf.tensor2d(reference.get('batch_mask')!.data as Int32Array, [3, 84], 'int32');
    const optimizer = tf.train.adam(1e-3);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 50; step += 1) {
      const loss = optimizer.minimize(() => causalLmLoss(model.forward(ids, { attentionMask: mask }), ids, mask), true, model.trainableVariables());
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(2)).size).toBe(1);
    expect(losses[49]).toBeLessThan(losses[0] * 0.9);
    optimizer.dispose();
    tf.dispose([ids, mask]);
    model.dispose();
  });
});

describe('KV cache and padding', () => {
  it('incremental decoding and left padding give the logits of one unpadded pass (tiny-llama)', async () => {
    const model = await CausalLM.load(`${FIXTURES}tiny-llama`);
    const reference = await loadReference('tiny-llama');
    const chat = Array.from(reference.get('ids_0')!.data);
    const full = tf.tidy(() => model.forward(tf.tensor2d([chat], undefined, 'int32'))).arraySync()[0];
    // Left-padded by 5 in a batch, prompt in one call, then the last 4 tokens one at a time.
    const cut = chat.length - 4;
    const cache = new KVCache(model.config.numHiddenLayers);
    const padded = [...new Array(5).fill(0), ...chat.slice(0, cut)];
    const mask = [...new Array(5).fill(0), ...new Array(cut).fill(1)];
    const first = tf.tidy(() => model.forward(tf.tensor2d([padded, padded], undefined, 'int32'), { attentionMask: tf.tensor2d([mask, mask], undefined, 'int32'), cache })).arraySync();
    for (let index = 0; index < cut; index += 1) expect(maxAbsDiff(first[1][5 + index], full[index])).toBeLessThan(1e-4);
    for (let index = cut; index < chat.length; index += 1) {
      const step = tf.tidy(() => model.forward(tf.tensor2d([[chat[index]], [chat[index]]], undefined, 'int32'), { cache })).arraySync();
      expect(maxAbsDiff(step[0][0], full[index])).toBeLessThan(1e-4);
    }
    expect(cache.length).toBe(5 + chat.length);
    cache.dispose();
    model.dispose();
  });
});

describe('Qwen3 (q/k norm, explicit head_dim, untied)', () => {
  it('runs, trains its q/k norms, caches, and saves under transformers names', async () => {
    const config = parseModelConfig({
      model_type: 'qwen3', hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4,
      num_key_value_heads: 2, head_dim: 16, vocab_size: 50, rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: false,
    });
    const model = CausalLM.fromConfig(config, { seed: 1, std: 0.2 });
    const names = [...model.namedParameters().keys()];
    expect(names).toContain('model.layers.0.self_attn.q_norm.weight');
    expect(names).toContain('lm_head.weight');
    expect(model.namedParameters().get('model.layers.0.self_attn.q_proj.weight')!.shape).toEqual([64, 32]);
    const ids = tf.tensor2d([[1, 5, 9, 3, 7, 2]], undefined, 'int32');
    const { grads } = tf.variableGrads(() => causalLmLoss(model.forward(ids), ids), model.trainableVariables());
    const qNorm = grads[model.namedParameters().get('model.layers.1.self_attn.q_norm.weight')!.name];
    expect(tf.norm(qNorm).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
    const full = tf.tidy(() => model.forward(ids)).arraySync()[0];
    const cache = new KVCache(2);
    tf.tidy(() => model.forward(tf.tensor2d([[1, 5, 9]], undefined, 'int32'), { cache }));
    const rest = tf.tidy(() => model.forward(tf.tensor2d([[3, 7, 2]], undefined, 'int32'), { cache })).arraySync()[0];
    for (let index = 0; index < 3; index += 1) expect(maxAbsDiff(rest[index], full[3 + index])).toBeLessThan(1e-4);
    cache.dispose();
    await model.save(join(dir, 'qwen3'));
    const reloaded = await CausalLM.load(join(dir, 'qwen3'));
    expect(reloaded.config.qkNorm).toBe(true);
    expect(maxAbsDiff(tf.tidy(() => reloaded.forward(ids)).dataSync(), full.flat())).toBe(0);
    tf.dispose([ids]);
    reloaded.dispose();
    model.dispose();
  });
});
