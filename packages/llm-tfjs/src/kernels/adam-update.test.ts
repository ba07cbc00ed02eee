import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { maxAbsDiff } from '../test-support/reference';
import { ADAM_UPDATE, adamUpdate, composedAdamUpdate } from './adam-update';
import { simdAdamFor } from './wasm-simd-adam';

describe.each(['cpu', 'wasm'] as const)('fused Adam update on %s', (backend) => {
  it.each([
    { step: 1, weightDecay: 0 },
    { step: 7, weightDecay: 0.1 },
  ])('equals the composed ops (step $step, weight decay $weightDecay)', async ({ step, weightDecay }) => {
    await initBackend(backend);
    expect(tf.getKernel(ADAM_UPDATE, backend)).toBeDefined();
    if (backend === 'wasm') {
      // The wasm kernel runs its WebAssembly SIMD function on the heap (700 of these 703 elements).
      const runtime = (tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
      expect(simdAdamFor(runtime.wasmMemory ?? runtime.asm?.memory)).not.toBeNull();
    }
    const shape = [37, 19];
    const parameter = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const first = tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 2), 0.01);
    const second = tf.abs(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 3), 1e-4));
    const gradient = tf.randomNormal(shape, 0, 0.1, 'float32', 4);
    const options = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step, weightDecay };
    const fused = adamUpdate(parameter, first, second, gradient, options);
    const composed = composedAdamUpdate(parameter, first, second, gradient, {
      beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-2 / (1 - 0.9 ** step), sqrtCorrection2: Math.sqrt(1 - 0.999 ** step), decay: 1 - 1e-2 * weightDecay,
    });
    for (let index = 0; index < 3; index += 1) {
      expect(fused[index].shape).toEqual(shape);
      expect(maxAbsDiff(fused[index].dataSync(), composed[index].dataSync())).toBeLessThan(1e-6);
    }
    // The update moved the parameter (by about the learning rate per element at these moments).
    expect(maxAbsDiff(fused[0].dataSync(), parameter.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([parameter, first, second, gradient, ...fused, ...composed]);
  });

  it('matches tf.train.adam over three steps', async () => {
    await initBackend(backend);
    const start = tf.randomNormal([64], 0, 1, 'float32', 5);
    const reference = tf.variable(start.clone());
    const optimizer = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
    let parameter = start.clone();
    let first = tf.zerosLike(start);
    let second = tf.zerosLike(start);
    for (let step = 1; step <= 3; step += 1) {
      const gradient = tf.tidy(() => tf.mul(tf.sin(tf.mul(parameter, step)), 2));
      optimizer.applyGradients([{ name: reference.name, tensor: tf.tidy(() => tf.mul(tf.sin(tf.mul(reference, step)), 2)) }]);
      const next = adamUpdate(parameter, first, second, gradient, { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step });
      tf.dispose([parameter, first, second, gradient]);
      [parameter, first, second] = next;
    }
    expect(maxAbsDiff(parameter.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
    tf.dispose([start, reference, parameter, first, second]);
    optimizer.dispose();
  });

  it('refuses moments of another size', async () => {
    await initBackend(backend);
    const a = tf.zeros([4]);
    const b = tf.zeros([5]);
    expect(() => tf.engine().runKernel(ADAM_UPDATE, { parameter: a, first: a, second: b, gradient: a }, {})).toThrow(/second moment must be float32 with 4 elements/);
    tf.dispose([a, b]);
  });
});
