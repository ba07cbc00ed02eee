import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches, heldOutSplit } from '../data/batching';
import { AdamWOptimizer, clipGradientsByGlobalNorm } from './adamw-optimizer';
import { learningRateAt } from './learning-rate-schedule';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** torch.optim.AdamW's update written out in float64 for one parameter (decoupled decay, bias correction). */
function handAdamW(initial: number[], gradients: number[][], learningRates: number[], decay: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): number[] {
  const p = initial.slice();
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((g, index) => {
    const step = index + 1;
    const lr = learningRates[index]!;
    for (let i = 0; i < p.length; i += 1) {
      p[i]! *= 1 - lr * decay;
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
      const mHat = m[i]! / (1 - beta1 ** step);
      const vHat = v[i]! / (1 - beta2 ** step);
      p[i]! -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  });
  return p;
}

describe('AdamWOptimizer', () => {
  it('follows PyTorch AdamW over three steps, with no decay for norms and biases', () => {
    const start = { weight: [0.5, -1.2, 2.0, 0.03], bias: [0.1, -0.4] };
    const gradients = {
      weight: [[0.3, -0.2, 1.5, 0.0], [-0.1, 0.05, 0.7, 2.0], [0.2, 0.2, -0.3, -1.0]],
      bias: [[1.0, -1.0], [0.5, 0.25], [-0.2, 0.1]],
    };
    const learningRates = [1e-2, 5e-3, 2e-3];
    const parameters = new Map([
      ['model.layers.0.mlp.up_proj.weight', tf.variable(tf.tensor1d(start.weight))],
      ['model.layers.0.self_attn.q_proj.bias', tf.variable(tf.tensor1d(start.bias))],
    ]);
    const optimizer = new AdamWOptimizer({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, noDecay: (name) => name.endsWith('.bias') });
    for (let step = 0; step < 3; step += 1) {
      const grads = new Map([
        ['model.layers.0.mlp.up_proj.weight', tf.tensor1d(gradients.weight[step]!)],
        ['model.layers.0.self_attn.q_proj.bias', tf.tensor1d(gradients.bias[step]!)],
      ]);
      optimizer.apply(parameters, grads, learningRates[step]!);
      tf.dispose([...grads.values()]);
    }
    const weight = Array.from(parameters.get('model.layers.0.mlp.up_proj.weight')!.dataSync());
    const bias = Array.from(parameters.get('model.layers.0.self_attn.q_proj.bias')!.dataSync());
    handAdamW(start.weight, gradients.weight, learningRates, 0.1).forEach((value, i) => expect(weight[i]).toBeCloseTo(value, 6));
    handAdamW(start.bias, gradients.bias, learningRates, 0).forEach((value, i) => expect(bias[i]).toBeCloseTo(value, 6));
    // Decay matters: the weight without it would differ.
    expect(Math.abs(weight[2]! - handAdamW(start.weight, gradients.weight, learningRates, 0)[2]!)).toBeGreaterThan(1e-4);
    expect(optimizer.step).toBe(3);
    optimizer.dispose();
    tf.dispose([...parameters.values()]);
  });
});

describe('clipGradientsByGlobalNorm', () => {
  it('scales every gradient by one factor to the global norm, and leaves small ones alone', () => {
    const gradients = new Map([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([0, 4, 0])]]);
    expect(clipGradientsByGlobalNorm(gradients, 1)).toBeCloseTo(5, 6);
    expect(Array.from(gradients.get('a')!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(gradients.get('b')!.dataSync())[1]).toBeCloseTo(0.8, 5);
    expect(clipGradientsByGlobalNorm(gradients, 2)).toBeCloseTo(1, 5);
    expect(Array.from(gradients.get('a')!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(clipGradientsByGlobalNorm(gradients, 0)).toBeCloseTo(1, 5); // 0 disables clipping
    tf.dispose([...gradients.values()]);
  });
});

describe('learningRateAt', () => {
  const base = { peak: 1e-3, warmupSteps: 4, totalSteps: 14 };
  it('warms up linearly, then decays by cosine or linearly to the floor at totalSteps', () => {
    const warm = [1, 2, 3, 4].map((step) => learningRateAt(step, { ...base, kind: 'cosine' }));
    warm.forEach((rate, index) => expect(rate).toBeCloseTo((1e-3 * (index + 1)) / 5, 12));
    expect(learningRateAt(5, { ...base, kind: 'cosine' })).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(10, { ...base, kind: 'cosine' })).toBeCloseTo(0.5e-3, 12); // half way: cos(π/2)
    expect(learningRateAt(10, { ...base, kind: 'linear' })).toBeCloseTo(0.5e-3, 12);
    expect(learningRateAt(8, { ...base, kind: 'cosine' })).toBeCloseTo(0.5e-3 * (1 + Math.cos(Math.PI * 0.3)), 12);
    expect(learningRateAt(8, { ...base, kind: 'linear' })).toBeCloseTo(0.7e-3, 12);
    expect(learningRateAt(15, { ...base, kind: 'cosine' })).toBeCloseTo(0, 12);
    expect(learningRateAt(15, { ...base, kind: 'linear', minRatio: 0.1 })).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(12, { ...base, kind: 'constant' })).toBe(1e-3);
  });
});

describe('batching', () => {
  const lengths = Array.from({ length: 200 }, (_, index) => 5 + ((index * 37) % 97));
  const padded = (batches: number[][]) => batches.reduce((sum, batch) => sum + batch.length * Math.max(...batch.map((i) => lengths[i]!)) - batch.reduce((s, i) => s + lengths[i]!, 0), 0);

  it('length bucketing pads far less, covers every example once, and depends only on (seed, epoch)', () => {
    const bucketed = epochBatches(lengths, 8, 3, 0, true);
    const plain = epochBatches(lengths, 8, 3, 0, false);
    for (const batches of [bucketed, plain]) expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, index) => index));
    expect(padded(bucketed)).toBeLessThan(padded(plain) / 5);
    expect(epochBatches(lengths, 8, 3, 0, true)).toEqual(bucketed);
    expect(epochBatches(lengths, 8, 3, 1, true)).not.toEqual(bucketed);
    expect(epochBatches(lengths, 8, 4, 0, true)).not.toEqual(bucketed);
  });

  it('holds out a seeded, disjoint fraction of the examples', () => {
    const items = Array.from({ length: 50 }, (_, index) => index);
    const { train, heldOut } = heldOutSplit(items, 0.2, 9);
    expect(heldOut).toHaveLength(10);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(items);
    expect(heldOutSplit(items, 0.2, 9).heldOut).toEqual(heldOut);
    expect(heldOutSplit(items, 0.2, 10).heldOut).not.toEqual(heldOut);
    expect(heldOut).not.toEqual(items.slice(0, 10)); // not by position
    expect(heldOutSplit(items, 0, 9).heldOut).toEqual([]);
  });
});
