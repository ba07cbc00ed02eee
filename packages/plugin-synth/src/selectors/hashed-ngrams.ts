/**
 * Word n-grams as 64-bit hashes (two 32-bit lanes), so benchmark prompts can be checked for
 * overlap without their text: the AlpacaEval instructions are shipped only as these hashes
 * (`data/alpacaeval-13gram-hashes.txt` is a historical name: see `ALPACA_EVAL_HASH_FILE`).
 *
 * The scheme (stable: the shipped file depends on it): words come from `words()` (NFKC, lower
 * case, punctuation and symbols removed, whitespace split). Each word gets two FNV-1a hashes of its
 * UTF-16 code units (offset bases 0x811c9dc5 and 0x050c5d1f, prime 0x01000193). A gram's lane is
 * folded over its words' hashes as h = imul(h ^ w, 0x01000193) from the lane's base, then
 * finalised with murmur3's fmix32 of h ^ length. The digest is lane a then lane b as 16 hex digits.
 */

export const ALPACA_EVAL_HASH_FILE = 'alpacaeval-13gram-hashes.txt';
export const HASHED_NGRAM_SIZE = 13;
export const ALPACA_EVAL_HASH_HEADER =
  '# easydistill hashed word n-grams v1: n=13; lines "<digest> <item index> [<words> for a whole instruction under 13 words]"; scheme in src/selectors/hashed-ngrams.ts';

const BASE_A = 0x811c9dc5;
const BASE_B = 0x050c5d1f;
const PRIME = 0x01000193;

/** The two per-word hashes of a token list. */
export function wordHashes(tokens: readonly string[]): { a: Uint32Array; b: Uint32Array } {
  const a = new Uint32Array(tokens.length);
  const b = new Uint32Array(tokens.length);
  tokens.forEach((token, index) => {
    let ha = BASE_A;
    let hb = BASE_B;
    for (let position = 0; position < token.length; position++) {
      const code = token.charCodeAt(position);
      ha = Math.imul(ha ^ code, PRIME);
      hb = Math.imul(hb ^ code, PRIME);
    }
    a[index] = ha >>> 0;
    b[index] = hb >>> 0;
  });
  return { a, b };
}

/** Lane a and lane b of the gram `tokens[start, start + length)`. */
export function gramLanes(hashes: { a: Uint32Array; b: Uint32Array }, start: number, length: number): [number, number] {
  let ha = BASE_A;
  let hb = BASE_B;
  for (let index = start; index < start + length; index++) {
    ha = Math.imul(ha ^ hashes.a[index]!, PRIME);
    hb = Math.imul(hb ^ hashes.b[index]!, PRIME);
  }
  return [fmix32(ha ^ length), fmix32(hb ^ length)];
}

/** Running-hash constants, for callers that fold grams incrementally (see `DecontaminateSelector`). */
export const FOLD = { BASE_A, BASE_B, PRIME } as const;

/** murmur3's fmix32 (the lane finaliser). */
export function finaliseLane(value: number): number {
  return fmix32(value);
}

/** 16-hex-digit digest of a gram given as normalised words joined by single spaces. */
export function gramDigest(gram: string): string {
  const tokens = gram.split(' ');
  const [a, b] = gramLanes(wordHashes(tokens), 0, tokens.length);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** Lanes of a 16-hex-digit digest. */
export function parseDigest(digest: string): [number, number] | undefined {
  if (!/^[0-9a-f]{16}$/.test(digest)) return undefined;
  return [Number.parseInt(digest.slice(0, 8), 16), Number.parseInt(digest.slice(8), 16)];
}

/**
 * A set of hashed grams, each naming where it came from: open addressing over typed arrays keyed
 * by both lanes, so a lookup allocates nothing (decontamination probes every window of every row).
 */
export class HashedGramSet {
  private laneA = new Uint32Array(1024);
  private laneB = new Uint32Array(1024);
  /** Source index + 1; 0 = empty slot. */
  private slot = new Int32Array(1024);
  private readonly sources: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a gram; the first source added for a gram is kept. */
  add(lanes: readonly [number, number], source: string): void {
    if ((this.count + 1) * 2 > this.slot.length) this.grow();
    let sourceNumber = this.sourceIndex.get(source);
    if (sourceNumber === undefined) {
      sourceNumber = this.sources.push(source);
      this.sourceIndex.set(source, sourceNumber);
    }
    if (this.place(lanes[0] >>> 0, lanes[1] >>> 0, sourceNumber)) this.count++;
  }

  /** Source of a gram, or undefined when the set lacks it. */
  get(lanes: readonly [number, number]): string | undefined {
    return this.lookup(lanes[0], lanes[1]);
  }

  /** Source of the gram with lanes a and b, or undefined. */
  lookup(a: number, b: number): string | undefined {
    const mask = this.slot.length - 1;
    for (let position = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; position = (position + 1) & mask) {
      const value = this.slot[position]!;
      if (value === 0) return undefined;
      if (this.laneA[position] === a && this.laneB[position] === b) return this.sources[value - 1];
    }
  }

  private place(a: number, b: number, sourceNumber: number): boolean {
    const mask = this.slot.length - 1;
    for (let position = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; position = (position + 1) & mask) {
      const value = this.slot[position]!;
      if (value === 0) {
        this.laneA[position] = a;
        this.laneB[position] = b;
        this.slot[position] = sourceNumber;
        return true;
      }
      if (this.laneA[position] === a && this.laneB[position] === b) return false;
    }
  }

  private grow(): void {
    const { laneA, laneB, slot } = this;
    this.laneA = new Uint32Array(slot.length * 2);
    this.laneB = new Uint32Array(slot.length * 2);
    this.slot = new Int32Array(slot.length * 2);
    for (let position = 0; position < slot.length; position++) if (slot[position] !== 0) this.place(laneA[position]!, laneB[position]!, slot[position]!);
  }
}

function fmix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
