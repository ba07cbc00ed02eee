import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { causalLmLoss, composedCausalLmLoss } from '../model/causal-lm-loss';
import { CROSS_ENTROPY, hasFusedCrossEntropy } from './cross-entropy';

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe.each(['cpu', 'wasm'] as const)('fused cross-entropy on %s', (backend) => {
  it('equals the composed loss and gradient, with and without padding', async () => {
    await initBackend(backend);
    expect(hasFusedCrossEntropy()).toBe(true);
    const logits = tf.randomNormal([2, 6, 13], 0, 3, 'float32', 7) as tf.Tensor3D;
    const ids = tf.tensor2d([[1, 4, 12, 0, 7, 3], [5, 5, 2, 9, 0, 0]], [2, 6], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], [2, 6], 'int32');
    for (const attention of [undefined, mask]) {
      const fused = tf.valueAndGrad((x: tf.Tensor) => causalLmLoss(x as tf.Tensor3D, ids, attention))(logits);
      const composed = tf.valueAndGrad((x: tf.Tensor) => composedCausalLmLoss(x as tf.Tensor3D, ids, attention))(logits);
      const [a, b] = [fused.value.dataSync()[0], composed.value.dataSync()[0]];
      expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(1e-6);
      expect(maxAbs(fused.grad, composed.grad)).toBeLessThan(1e-6);
      // The gradient is not trivially zero: padded targets and the last position get none, the rest do.
      expect(tf.tidy(() => tf.sum(tf.abs(fused.grad)).dataSync()[0])).toBeGreaterThan(0.1);
    }
  });

  it('keeps the loss finite when the label probability underflows float32', async () => {
    await initBackend(backend);
    const logits = tf.tensor2d([[0, 200, 1], [3, 1, 2]]);
    const labels = tf.tensor1d([0, 0], 'int32');
    const [loss] = tf.engine().runKernel(CROSS_ENTROPY, { logits, labels }) as unknown as tf.Tensor[];
    const values = loss.dataSync();
    expect(values[0]).toBeCloseTo(200, 4);
    expect(values[1]).toBeCloseTo(Math.log(Math.exp(0) + Math.exp(-2) + Math.exp(-1)), 5);
    tf.dispose([logits, labels, loss]);
  });

  it('refuses a label outside the vocabulary', async () => {
    await initBackend(backend);
    const logits = tf.zeros([2, 4]);
    const labels = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.engine().runKernel(CROSS_ENTROPY, { logits, labels })).toThrow(/label 4 at row 1 is outside the vocabulary \(size 4\)/);
  });
});
