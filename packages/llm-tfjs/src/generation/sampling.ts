/** A seeded pseudo-random generator (mulberry32): returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index of the largest value (first on ties, like torch.argmax). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let index = 1; index < row.length; index += 1) if (row[index] > row[best]) best = index;
  return best;
}

/** log Σ exp(row), computed in double precision. */
export function logSumExp(row: ArrayLike<number>): number {
  let max = -Infinity;
  for (let index = 0; index < row.length; index += 1) if (row[index] > max) max = row[index];
  let sum = 0;
  for (let index = 0; index < row.length; index += 1) sum += Math.exp(row[index] - max);
  return max + Math.log(sum);
}

/** The `count` largest entries, descending (ties: lower id first). */
export function topEntries(row: ArrayLike<number>, count: number): { id: number; value: number }[] {
  // A large share of the row (up to the whole vocabulary): one sort, O(V log V), instead of the
  // insertion below, O(V × count) at worst. Ties keep the lower id first, as the insertion does.
  if (count > 32 && count * 16 > row.length) {
    const ids = Array.from({ length: row.length }, (_, index) => index);
    ids.sort((a, b) => row[b] - row[a] || a - b);
    return ids.slice(0, count).map((id) => ({ id, value: row[id] }));
  }
  const best: { id: number; value: number }[] = [];
  for (let index = 0; index < row.length; index += 1) {
    const value = row[index];
    if (best.length === count && value <= best[best.length - 1].value) continue;
    let position = best.length;
    while (position > 0 && best[position - 1].value < value) position -= 1;
    best.splice(position, 0, { id: index, value });
    if (best.length > count) best.pop();
  }
  return best;
}

/** Sampling settings, applied in transformers' order: temperature, top-k, top-p. */
export interface SamplingOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
}

/**
 * Picks the next token from one row of logits: greedy when temperature is 0 or unset,
 * otherwise a draw from softmax(logits / temperature) restricted to the top-k tokens and then to
 * the smallest set whose probability reaches top-p (always at least one token).
 */
export function sampleToken(row: ArrayLike<number>, options: SamplingOptions, random: () => number): number {
  const temperature = options.temperature ?? 0;
  if (temperature <= 0) return argmax(row);
  const vocab = row.length;
  const topK = options.topK && options.topK > 0 ? Math.min(options.topK, vocab) : vocab;
  const topP = options.topP ?? 1;
  let candidates: { id: number; value: number }[];
  if (topK < vocab) candidates = topEntries(row, topK);
  else if (topP < 1) {
    candidates = Array.from({ length: vocab }, (_, id) => ({ id, value: row[id] }));
    candidates.sort((a, b) => b.value - a.value || a.id - b.id);
  } else {
    candidates = Array.from({ length: vocab }, (_, id) => ({ id, value: row[id] }));
  }
  const max = candidates.reduce((best, item) => Math.max(best, item.value), -Infinity);
  const weights = candidates.map((item) => Math.exp((item.value - max) / temperature));
  let total = weights.reduce((sum, weight) => sum + weight, 0);
  if (topP < 1) {
    // candidates are sorted descending here (topEntries or the full sort)
    let cumulative = 0;
    let keep = 0;
    while (keep < candidates.length) {
      cumulative += weights[keep] / total;
      keep += 1;
      if (cumulative >= topP) break;
    }
    candidates = candidates.slice(0, keep);
    weights.length = keep;
    total = weights.reduce((sum, weight) => sum + weight, 0);
  }
  let draw = random() * total;
  for (let index = 0; index < candidates.length; index += 1) {
    draw -= weights[index];
    if (draw < 0) return candidates[index].id;
  }
  return candidates[candidates.length - 1].id;
}
