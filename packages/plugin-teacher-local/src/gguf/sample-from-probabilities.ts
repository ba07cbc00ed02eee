/** Mulberry32: a small seeded generator in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `count` most likely tokens, descending (ties: lower id first). */
export function topOf(probabilities: Map<number, number>, count: number): Array<[number, number]> {
  if (count <= 0) return [];
  return [...probabilities.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, count);
}

/**
 * Chooses the next token from a raw distribution: greedy at temperature 0, else temperature, then
 * top-k, then top-p (transformers' order), sampled with `random`.
 */
export function chooseToken(probabilities: Map<number, number>, options: { temperature: number; topK?: number; topP: number }, random: () => number): number {
  const ranked = topOf(probabilities, probabilities.size);
  if (ranked.length === 0) throw new Error('the model returned an empty distribution');
  if (options.temperature === 0) return ranked[0]![0];
  let weights = ranked.map(([id, probability]) => [id, Math.exp(Math.log(probability) / options.temperature)] as [number, number]);
  if (options.topK && options.topK > 0) weights = weights.slice(0, options.topK);
  let total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  if (options.topP < 1) {
    const kept: Array<[number, number]> = [];
    let mass = 0;
    for (const entry of weights) {
      kept.push(entry);
      mass += entry[1] / total;
      if (mass >= options.topP) break;
    }
    weights = kept;
    total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  }
  let target = random() * total;
  for (const [id, weight] of weights) {
    target -= weight;
    if (target <= 0) return id;
  }
  return weights[weights.length - 1]![0];
}
