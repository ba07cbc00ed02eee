import * as tf from '@tensorflow/tfjs';

/**
 * Keys and values of every layer for the tokens seen so far, plus each row's attention mask over
 * them, so the next forward call only processes new tokens. Pass one to `CausalLM.forward`
 * (`options.cache`); the model appends to it. Call `dispose` when done.
 */
export class KVCache {
  /** Per layer, `[batch, kvHeads, length, headDim]`, or null before the first call. */
  readonly keys: (tf.Tensor4D | null)[];
  readonly values: (tf.Tensor4D | null)[];
  /** Per batch row, 1/0 for every cached position. */
  mask: number[][] = [];

  constructor(readonly numLayers: number) {
    this.keys = new Array<tf.Tensor4D | null>(numLayers).fill(null);
    this.values = new Array<tf.Tensor4D | null>(numLayers).fill(null);
  }

  /** Number of cached positions. */
  get length(): number {
    return this.mask[0]?.length ?? 0;
  }

  /** Appends one layer's new keys and values (kept outside any tidy) and disposes the old ones. */
  append(layer: number, keys: tf.Tensor4D, values: tf.Tensor4D): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const oldKeys = this.keys[layer];
    const oldValues = this.values[layer];
    const nextKeys = oldKeys ? tf.concat([oldKeys, keys], 2) : keys.clone();
    const nextValues = oldValues ? tf.concat([oldValues, values], 2) : values.clone();
    tf.keep(nextKeys);
    tf.keep(nextValues);
    oldKeys?.dispose();
    oldValues?.dispose();
    this.keys[layer] = nextKeys;
    this.values[layer] = nextValues;
    return { keys: nextKeys, values: nextValues };
  }

  /** Keeps only the given batch rows (e.g. after some sequences finished). */
  selectRows(rows: number[]): void {
    const index = tf.tensor1d(rows, 'int32');
    for (let layer = 0; layer < this.numLayers; layer += 1) {
      for (const store of [this.keys, this.values]) {
        const old = store[layer];
        if (!old) continue;
        store[layer] = tf.keep(tf.gather(old, index, 0));
        old.dispose();
      }
    }
    index.dispose();
    this.mask = rows.map((row) => this.mask[row]);
  }

  /** Releases every cached tensor. */
  dispose(): void {
    for (const store of [this.keys, this.values]) {
      for (let layer = 0; layer < this.numLayers; layer += 1) {
        store[layer]?.dispose();
        store[layer] = null;
      }
    }
    this.mask = [];
  }
}
