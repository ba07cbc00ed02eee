import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { applyRope, composedRmsNorm, composedRope, rmsNorm } from '../model/decoder';
import { maxAbsDiff } from '../test-support/reference';
import { hasFusedRmsNorm, hasFusedRope, RMS_NORM, ROPE } from './decoder-kernels';

/** The value and the gradients (w.r.t. every input) of sum(f(...) · probe). */
function valueAndGrads(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], probe: tf.Tensor): { value: Float32Array; grads: Float32Array[] } {
  const value = tf.tidy(() => f(...inputs).dataSync() as Float32Array);
  const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(inputs).map((grad) => grad.dataSync() as Float32Array));
  return { value, grads };
}

describe.each(['cpu', 'wasm'] as const)('fused decoder kernels on %s', (backend) => {
  it.each([
    { shape: [2, 5, 24], name: 'hidden states' },
    { shape: [2, 3, 4, 8], name: 'per-head (Qwen3 q/k norm)' },
  ])('RMSNorm equals the composed ops, value and gradients ($name)', async ({ shape }) => {
    await initBackend(backend);
    expect(hasFusedRmsNorm()).toBe(true);
    const size = shape[shape.length - 1];
    const x = tf.randomNormal(shape, 0, 2, 'float32', 1);
    const weight = tf.randomNormal([size], 1, 0.3, 'float32', 2);
    const probe = tf.randomNormal(shape, 0, 1, 'float32', 3);
    const fused = valueAndGrads((a, b) => rmsNorm(a, b, 1e-6), [x, weight], probe);
    const composed = valueAndGrads((a, b) => composedRmsNorm(a, b, 1e-6), [x, weight], probe);
    expect(maxAbsDiff(fused.value, composed.value)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fused.grads[0], composed.grads[0])).toBeLessThan(1e-5);
    expect(maxAbsDiff(fused.grads[1], composed.grads[1])).toBeLessThan(1e-4);
    expect(Math.max(...fused.grads[1].map(Math.abs))).toBeGreaterThan(0.1); // the weight gradient is not trivially zero
    tf.dispose([x, weight, probe]);
  });

  it.each([
    { tableBatch: 2, name: 'a table per sequence' },
    { tableBatch: 1, name: 'one table for the batch' },
  ])('RoPE equals the composed ops, value and gradient ($name)', async ({ tableBatch }) => {
    await initBackend(backend);
    expect(hasFusedRope()).toBe(true);
    const [batch, heads, length, dim] = [2, 3, 5, 8];
    const angles = tf.randomUniform([tableBatch, 1, length, dim / 2], 0, 6, 'float32', 4);
    const cos = tf.concat([tf.cos(angles), tf.cos(angles)], -1) as tf.Tensor4D;
    const sin = tf.concat([tf.sin(angles), tf.sin(angles)], -1) as tf.Tensor4D;
    const x = tf.randomNormal([batch, heads, length, dim], 0, 1, 'float32', 5) as tf.Tensor4D;
    const probe = tf.randomNormal([batch, heads, length, dim], 0, 1, 'float32', 6);
    const fused = valueAndGrads((a) => applyRope(a as tf.Tensor4D, cos, sin), [x], probe);
    const composed = valueAndGrads((a) => composedRope(a as tf.Tensor4D, cos, sin), [x], probe);
    expect(maxAbsDiff(fused.value, composed.value)).toBeLessThan(1e-6);
    expect(maxAbsDiff(fused.grads[0], composed.grads[0])).toBeLessThan(1e-6);
    expect(maxAbsDiff(fused.value, x.dataSync())).toBeGreaterThan(0.1); // it rotated something
    tf.dispose([angles, cos, sin, x, probe]);
  });

  it('refuses mismatched shapes', async () => {
    await initBackend(backend);
    const x = tf.zeros([2, 3, 4, 8]);
    const table = tf.zeros([2, 1, 5, 8]);
    expect(() => tf.engine().runKernel(ROPE, { x, cos: table, sin: table }, { backward: false })).toThrow(/LlmRope: expects x \[b, heads, s, d\]/);
    expect(() => tf.engine().runKernel(RMS_NORM, { x, weight: tf.zeros([4]) }, { eps: 1e-6 })).toThrow(/LlmRmsNorm: weight must be \[8\]/);
    tf.dispose([x, table]);
  });
});
