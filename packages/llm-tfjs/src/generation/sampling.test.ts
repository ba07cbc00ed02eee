import { describe, expect, it } from 'vitest';
import { topEntries } from './sampling';

/** The reference: a full stable sort by value, descending, ties by lower id. */
function sortedTop(row: number[], count: number) {
  return row
    .map((value, id) => ({ id, value }))
    .sort((a, b) => (b.value === a.value ? a.id - b.id : b.value > a.value ? 1 : -1))
    .slice(0, count);
}

describe('topEntries', () => {
  it('gives the largest entries, descending, ties by lower id, on both of its paths (insertion and sort)', () => {
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Values from a small set make ties; -Infinity (masked tokens) sorts last.
    const row = Array.from({ length: 979 }, () => (random() < 0.05 ? -Infinity : Math.round(random() * 40) / 4));
    for (const count of [1, 10, 20, 32, 50, 61, 62, 500, 979, 2000]) {
      expect(topEntries(row, count), `count ${count}`).toEqual(sortedTop(row, count));
    }
    expect(topEntries(Float32Array.from([3, 1, 2]), 5).map((entry) => entry.id)).toEqual([0, 2, 1]);
  });
});
