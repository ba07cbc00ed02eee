import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../config/model-config';
import { CausalLM } from '../model/causal-lm';
import { causalLmLoss } from '../model/causal-lm-loss';
import { initBackend } from './init-backend';

const saved = process.env.EASYDISTILL_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.EASYDISTILL_BACKEND;
  else process.env.EASYDISTILL_BACKEND = saved;
});

const resolvable = (name: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};
const hasTensorflow = resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu');
const hasWebgpu = resolvable('webgpu');

describe('initBackend', () => {
  it('takes EASYDISTILL_BACKEND when no name is given, and the option over the variable', async () => {
    process.env.EASYDISTILL_BACKEND = 'cpu';
    expect(await initBackend()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('names the source of an unknown backend', async () => {
    process.env.EASYDISTILL_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toMatchObject({ code: 'backend-unknown', message: expect.stringMatching(/"tpu" \(from EASYDISTILL_BACKEND\)/) });
  });

  it.skipIf(hasTensorflow)('refuses a requested backend that cannot start instead of running elsewhere', async () => {
    await initBackend('wasm');
    await expect(initBackend('tensorflow')).rejects.toMatchObject({ code: 'backend-unavailable', message: expect.stringMatching(/tfjs-node/) });
    expect(tf.getBackend()).toBe('wasm'); // still the one in use, nothing switched behind the caller's back
  });

  it.skipIf(hasTensorflow || hasWebgpu)('chooses tensorflow > webgpu > wasm > cpu by availability: wasm on this machine', async () => {
    delete process.env.EASYDISTILL_BACKEND;
    await initBackend('cpu');
    expect(await initBackend()).toBe('wasm');
  });
});

describe('training on wasm runs every kernel on wasm', () => {
  it('has a wasm kernel for every kernel of a forward+backward step (no cpu fallback)', async () => {
    await initBackend('wasm');
    const config = parseModelConfig({
      model_type: 'qwen2', hidden_size: 32, intermediate_size: 48, num_hidden_layers: 1, num_attention_heads: 4,
      num_key_value_heads: 2, vocab_size: 64, tie_word_embeddings: true,
    });
    const model = CausalLM.fromConfig(config, { seed: 3 });
    const ids = tf.tensor2d([[1, 5, 9, 3, 7, 2], [4, 4, 8, 0, 0, 0]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], undefined, 'int32');
    const optimizer = tf.train.adam(1e-3);
    const profile = await tf.profile(() => {
      const loss = optimizer.minimize(() => causalLmLoss(model.forward(ids, { attentionMask: mask }), ids, mask), true, model.trainableVariables());
      loss?.dispose();
    });
    // Ops with a custom gradient (logSoftmax, the fused loss) also appear as records around their
    // kernels; those are not kernels of any backend.
    const kernels = [...new Set(profile.kernels.map((kernel) => kernel.name))].filter((name) => tf.getKernel(name, 'cpu'));
    expect(kernels).toContain('UnsortedSegmentSum'); // the gradient of the embedding lookup
    expect(kernels).toContain('BatchMatMul');
    expect(kernels.filter((name) => !tf.getKernel(name, 'wasm'))).toEqual([]);
    expect(tf.getBackend()).toBe('wasm');
    optimizer.dispose();
    tf.dispose([ids, mask]);
    model.dispose();
  });

  it('UnsortedSegmentSum on wasm equals cpu (repeated ids, ids out of range dropped)', async () => {
    const run = async (backend: 'wasm' | 'cpu') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomNormal([50, 3, 4], 0, 1, 'float32', 11);
        const ids = tf.tensor1d([...Array.from({ length: 48 }, (_, index) => (index * 7) % 13), -1, 13], 'int32');
        return tf.unsortedSegmentSum(x, ids, 13).arraySync() as number[][][];
      });
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm).toHaveLength(13);
    expect(wasm.flat(2).some((value) => value !== 0)).toBe(true);
    expect(wasm.flat(2).map((value) => Math.round(value * 1e5))).toEqual(cpu.flat(2).map((value) => Math.round(value * 1e5)));
  });
});
