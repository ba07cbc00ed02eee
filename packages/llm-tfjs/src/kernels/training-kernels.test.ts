import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { maxAbsDiff } from '../test-support/reference';

/** Products through the wasm matMul wrapper (2-D transposed, batched, batched transposed) equal cpu's. */
describe('wasm BatchMatMul wrapper', () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      const [m, k, n] = [48, 40, 36];
      const a = transposeA ? [k, m] : [m, k];
      const b = transposeB ? [n, k] : [k, n];
      cases.push({ a, b, transposeA, transposeB }); // 2-D
      cases.push({ a: [3, 2, ...a], b: [3, 2, ...b], transposeA, transposeB }); // batched: split per matrix
      const [a32, b32] = [transposeA ? [k, m] : [m, k], transposeB ? [32, k] : [k, 32]];
      cases.push({ a: [3, 2, ...a32], b: [3, 2, ...b32], transposeA, transposeB }); // batched, n = 32: the SIMD gemm
    }
  }
  cases.push({ a: [2, 5, 3], b: [2, 4, 3], transposeA: false, transposeB: true }); // small: the original kernel
  cases.push({ a: [3, 64, 32], b: [1, 32, 40], transposeA: false, transposeB: false }); // broadcast: the original kernel
  cases.push({ a: [4, 24], b: [300, 24], transposeA: false, transposeB: true }); // x·Wᵀ, x much smaller: computed as (W·xᵀ)ᵀ
  cases.push({ a: [24, 4], b: [300, 24], transposeA: true, transposeB: true }); // the same with a transposed left operand

  it.each(cases)('a [$a] (transposed $transposeA) × b [$b] (transposed $transposeB)', async ({ a, b, transposeA, transposeB }) => {
    const product = async (backend: 'wasm' | 'cpu') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const left = tf.randomNormal(a, 0, 1, 'float32', 1);
        const right = tf.randomNormal(b, 0, 1, 'float32', 2);
        if (b[0] === 1 && a[0] !== 1) return tf.matMul(left, tf.tile(right, [a[0], 1, 1]), transposeA, transposeB).dataSync();
        return tf.matMul(left, right, transposeA, transposeB).dataSync();
      });
    };
    const wasm = await product('wasm');
    const cpu = await product('cpu');
    expect(wasm.length).toBe(cpu.length);
    expect(maxAbsDiff(wasm, cpu)).toBeLessThan(1e-4);
  });
});

/** x·Wᵀ for two weights sharing x (the MLP's gate and up): the second reuses the transposed x. */
describe('wasm swapped x·Wᵀ with a shared x', () => {
  it('equals cpu for both products, and after x changes', async () => {
    const products = async (backend: 'wasm' | 'cpu') => {
      await initBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomNormal([6, 20], 0, 1, 'float32', 11);
        const gate = tf.randomNormal([200, 20], 0, 1, 'float32', 12);
        const up = tf.randomNormal([180, 20], 0, 1, 'float32', 13);
        const other = tf.randomNormal([6, 20], 0, 1, 'float32', 14);
        return [tf.matMul(x, gate, false, true), tf.matMul(x, up, false, true), tf.matMul(other, up, false, true), tf.matMul(x, gate, false, true)].map((t) => t.dataSync());
      });
    };
    const wasm = await products('wasm');
    const cpu = await products('cpu');
    wasm.forEach((values, index) => expect(maxAbsDiff(values, cpu[index])).toBeLessThan(1e-4));
  });
});

/** wasm's Identity (run by tf.clone and on every tensor saved for the backward pass) shares memory. */
describe('wasm Identity', () => {
  it('shares the input memory, and the clone outlives the original', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers); // no copy: the clone uses x's buffer
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.add(y, 1); // a kernel writing its own output leaves the shared memory alone
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(z.dataSync())).toEqual([2, 3, 4, 5, 6, 7]);
    tf.dispose([y, z]);
    const strings = tf.tensor1d(['a', 'b'], 'string');
    expect(tf.clone(strings).arraySync()).toEqual(['a', 'b']);
  });
});
