import type { KVCache } from './kv-cache';

/** Large negative logit added where attention is not allowed (softmax gives exactly 0 there). */
export const MASKED = -1e9;

/**
 * Position ids and the additive attention mask for `batch × length` new tokens.
 * Positions follow transformers' generation rule, `cumsum(mask) - 1` over the whole sequence
 * (cached part included), so left- and right-padded rows get the positions of their unpadded
 * selves; a padded slot gets position 1 (transformers' fill value; its output is unused).
 * The mask allows key j for query i when key j is not padding and j <= past + i.
 */
export function attentionInputs(
  batch: number,
  length: number,
  mask: ArrayLike<number> | null,
  cache?: KVCache,
): { positions: Int32Array; additive: Float32Array; total: number; rows: number[][] } {
  const past = cache?.length ?? 0;
  const total = past + length;
  const positions = new Int32Array(batch * length);
  const additive = new Float32Array(batch * length * total);
  const rows: number[][] = [];
  for (let row = 0; row < batch; row += 1) {
    const full = cache && cache.mask[row] ? cache.mask[row].slice() : new Array<number>(past).fill(1);
    let count = full.reduce((sum, value) => sum + value, 0);
    for (let index = 0; index < length; index += 1) {
      const value = mask ? (mask[row * length + index] ? 1 : 0) : 1;
      full.push(value);
      if (value) count += 1;
      positions[row * length + index] = value ? count - 1 : 1;
    }
    rows.push(full);
    for (let query = 0; query < length; query += 1) {
      const base = (row * length + query) * total;
      for (let key = 0; key < total; key += 1) {
        if (!(full[key] === 1 && key <= past + query)) additive[base + key] = MASKED;
      }
    }
  }
  return { positions, additive, total, rows };
}
