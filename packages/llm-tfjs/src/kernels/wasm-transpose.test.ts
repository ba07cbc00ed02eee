import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { wasmTransposeFor } from './wasm-transpose';

interface Heap {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  getMemoryOffset(dataId: tf.DataId): number;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): void;
}

describe('tiled wasm transpose', () => {
  it.each([[1, 7], [7, 1], [16, 16], [17, 33], [40, 16], [3, 100]])('transposes [%i, %i] exactly', async (rows, columns) => {
    await initBackend('wasm');
    const heap = tf.backend() as unknown as Heap;
    const transpose = wasmTransposeFor(heap.wasm.wasmMemory ?? heap.wasm.asm?.memory);
    expect(transpose).not.toBeNull();
    const x = tf.randomNormal([rows, columns], 0, 1, 'float32', rows * 100 + columns);
    const out = heap.makeOutput([columns, rows], 'float32');
    transpose!(heap.getMemoryOffset(x.dataId), heap.getMemoryOffset(out.dataId), rows, columns);
    const source = x.arraySync() as number[][];
    const result = heap.typedArrayFromHeap(out);
    for (let row = 0; row < rows; row += 1) for (let column = 0; column < columns; column += 1) expect(result[column * rows + row]).toBe(source[row][column]);
    heap.disposeData(out.dataId);
    x.dispose();
  });
});
