import { words } from '../shared/text-normalise';

export interface MinHashIndexOptions {
  /** Hash permutations per signature (128 by default, as datasketch / distilabel). */
  numPerm: number;
  /** Jaccard similarity from which two texts are duplicates (0.9 by default). */
  threshold: number;
  /** Words per shingle (5 by default). */
  ngram: number;
  /** Seed of the permutations. */
  seed: number;
  /**
   * How LSH candidates are confirmed: `exact` Jaccard of the shingle sets (default: no false
   * positives), `estimate` from signature agreement, or `none` (every band collision counts, like
   * datasketch's plain query).
   */
  verify: 'exact' | 'estimate' | 'none';
}

/** Result of checking one text against everything kept so far. */
export interface MinHashMatch {
  /** Index (in insertion order of kept texts) of the first kept text it duplicates. */
  duplicateOf?: number;
  /** Jaccard similarity to that text (exact or estimated, as verified). */
  similarity?: number;
}

/**
 * Streaming near-duplicate detection with MinHash and LSH banding: each text is compared only with
 * the kept texts that share at least one band of its signature, so the cost grows linearly with
 * the number of rows rather than quadratically. The first text seen wins; duplicates are not added.
 */
export class MinHashIndex {
  readonly bands: number;
  readonly rows: number;
  private readonly multipliers: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly buckets: Array<Map<number, number[]>>;
  private signatures: Uint32Array;
  private readonly shingleSets: Uint32Array[] = [];
  private readonly checkedStamp: number[] = [];
  private kept = 0;
  private stamp = 0;

  constructor(private readonly options: MinHashIndexOptions) {
    // Confirmed candidates cost a comparison but cannot be false positives, so the bands are tuned
    // for recall (false negatives weighted 0.98); unconfirmed (`none`) keeps datasketch's 0.5 / 0.5.
    const { bands, rows } = options.verify === 'none' ? optimalBanding(options.threshold, options.numPerm) : optimalBanding(options.threshold, options.numPerm, 0.02, 0.98);
    this.bands = bands;
    this.rows = rows;
    // Permutation i of a (well-mixed) shingle hash x: (a_i · x + b_i) mod 2^32 with odd a_i, a
    // bijection costing one multiply and one add (datasketch uses (a·x + b) mod (2^61 − 1)).
    this.multipliers = new Uint32Array(options.numPerm);
    this.offsets = new Uint32Array(options.numPerm);
    let state = options.seed >>> 0;
    for (let index = 0; index < options.numPerm; index++) {
      state = (state + 0x9e3779b9) >>> 0;
      this.multipliers[index] = (mix32(state) | 1) >>> 0;
      state = (state + 0x9e3779b9) >>> 0;
      this.offsets[index] = mix32(state);
    }
    this.buckets = Array.from({ length: bands }, () => new Map<number, number[]>());
    this.signatures = new Uint32Array(options.numPerm * 1024);
  }

  /** Number of texts kept (not duplicates). */
  get size(): number {
    return this.kept;
  }

  /** Checks `text`; when it duplicates nothing kept, keeps it. */
  add(text: string): MinHashMatch {
    const shingles = shingleHashes(text, this.options.ngram);
    const signature = this.signature(shingles);
    const match = this.query(signature, shingles);
    if (match.duplicateOf === undefined) this.insert(signature, shingles);
    return match;
  }

  /** MinHash signature of a set of shingle hashes. */
  signature(shingles: Uint32Array): Uint32Array {
    const { numPerm } = this.options;
    const signature = new Uint32Array(numPerm).fill(0xffffffff);
    const multipliers = this.multipliers;
    const offsets = this.offsets;
    for (let index = 0; index < numPerm; index++) {
      const a = multipliers[index]!;
      const b = offsets[index]!;
      let minimum = 0xffffffff;
      for (let s = 0; s < shingles.length; s++) {
        const value = (Math.imul(a, shingles[s]!) + b) >>> 0;
        if (value < minimum) minimum = value;
      }
      signature[index] = minimum;
    }
    return signature;
  }

  private query(signature: Uint32Array, shingles: Uint32Array): MinHashMatch {
    this.stamp++;
    let best: MinHashMatch = {};
    for (let band = 0; band < this.bands; band++) {
      const candidates = this.buckets[band]!.get(bandKey(signature, band, this.rows));
      if (!candidates) continue;
      for (const candidate of candidates) {
        if (this.checkedStamp[candidate] === this.stamp) continue;
        this.checkedStamp[candidate] = this.stamp;
        const similarity = this.similarity(candidate, signature, shingles);
        if (similarity >= this.options.threshold && (best.duplicateOf === undefined || candidate < best.duplicateOf)) {
          best = { duplicateOf: candidate, similarity };
        }
      }
    }
    return best;
  }

  private similarity(candidate: number, signature: Uint32Array, shingles: Uint32Array): number {
    if (this.options.verify === 'none') return 1;
    if (this.options.verify === 'exact') return jaccardSorted(shingles, this.shingleSets[candidate]!);
    const { numPerm } = this.options;
    const offset = candidate * numPerm;
    let equal = 0;
    for (let index = 0; index < numPerm; index++) if (this.signatures[offset + index] === signature[index]) equal++;
    return equal / numPerm;
  }

  private insert(signature: Uint32Array, shingles: Uint32Array): void {
    const index = this.kept++;
    const { numPerm } = this.options;
    if (this.options.verify === 'exact') this.shingleSets.push(shingles);
    if (this.options.verify === 'estimate') {
      if ((index + 1) * numPerm > this.signatures.length) {
        const grown = new Uint32Array(this.signatures.length * 2);
        grown.set(this.signatures);
        this.signatures = grown;
      }
      this.signatures.set(signature, index * numPerm);
    }
    for (let band = 0; band < this.bands; band++) {
      const key = bandKey(signature, band, this.rows);
      const bucket = this.buckets[band]!.get(key);
      if (bucket) bucket.push(index);
      else this.buckets[band]!.set(key, [index]);
    }
  }
}

/** Sorted, distinct 32-bit hashes of the word n-grams of the normalised text (the whole text when shorter). */
export function shingleHashes(text: string, ngram: number): Uint32Array {
  const tokens = words(text).map(hashWord);
  const count = Math.max(1, tokens.length - ngram + 1);
  const hashes = new Uint32Array(tokens.length === 0 ? 0 : count);
  for (let start = 0; start < hashes.length; start++) {
    let hash = 0x811c9dc5;
    const end = Math.min(tokens.length, start + ngram);
    for (let index = start; index < end; index++) hash = Math.imul(hash ^ tokens[index]!, 0x01000193);
    hashes[start] = mix32(hash);
  }
  hashes.sort();
  let distinct = 0;
  for (let index = 0; index < hashes.length; index++) if (index === 0 || hashes[index] !== hashes[distinct - 1]) hashes[distinct++] = hashes[index]!;
  return hashes.subarray(0, distinct);
}

/** Exact Jaccard similarity of two sorted distinct hash sets. */
export function jaccardSorted(left: Uint32Array, right: Uint32Array): number {
  if (left.length === 0 && right.length === 0) return 1;
  let a = 0;
  let b = 0;
  let shared = 0;
  while (a < left.length && b < right.length) {
    if (left[a] === right[b]) {
      shared++;
      a++;
      b++;
    } else if (left[a]! < right[b]!) a++;
    else b++;
  }
  return shared / (left.length + right.length - shared);
}

/**
 * Bands b and rows r (b·r ≤ numPerm) minimising the equally weighted false-positive and
 * false-negative areas under the LSH S-curve 1 − (1 − s^r)^b around the threshold (datasketch's rule).
 */
export function optimalBanding(threshold: number, numPerm: number, falsePositiveWeight = 0.5, falseNegativeWeight = 0.5): { bands: number; rows: number } {
  const integrate = (f: (s: number) => number, from: number, to: number) => {
    const steps = 200;
    const width = (to - from) / steps;
    let area = 0;
    for (let step = 0; step < steps; step++) area += f(from + (step + 0.5) * width) * width;
    return area;
  };
  let best = { bands: 1, rows: numPerm, error: Number.POSITIVE_INFINITY };
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; rows <= Math.floor(numPerm / bands); rows++) {
      const falsePositive = integrate((s) => 1 - (1 - s ** rows) ** bands, 0, threshold);
      const falseNegative = integrate((s) => (1 - s ** rows) ** bands, threshold, 1);
      const error = falsePositiveWeight * falsePositive + falseNegativeWeight * falseNegative;
      if (error < best.error) best = { bands, rows, error };
    }
  }
  return { bands: best.bands, rows: best.rows };
}

function bandKey(signature: Uint32Array, band: number, rows: number): number {
  let hash = Math.imul(band + 1, 0x9e3779b1);
  const start = band * rows;
  for (let index = start; index < start + rows; index++) hash = Math.imul(hash ^ signature[index]!, 0x01000193);
  return mix32(hash);
}

function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: a bijection with good avalanche, used as a hash permutation. */
function mix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
