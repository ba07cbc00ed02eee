import { describe, expect, it } from 'vitest';
import type { RowV1 } from '@easydistill/core';
import { collect, streamOf } from '../__fixtures__/scripted-teacher';
import { SeededRandom } from '../shared/seeded-random';
import { MinHashIndex, jaccardSorted, optimalBanding, shingleHashes } from './minhash-index';
import { MinhashSelector, minhashSelectorOptionsSchema } from './minhash-selector';

describe('synth/minhash', () => {
  it('reaches precision and recall ≥ 0.95 at the default threshold on a constructed set', async () => {
    const { rows, isDuplicate } = constructedSet(7);
    const selector = new MinhashSelector(minhashSelectorOptionsSchema.parse({}));
    const decisions = await collect(selector.doSelect(streamOf(rows)));
    expect(decisions).toHaveLength(rows.length);
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    for (const decision of decisions) {
      const duplicate = isDuplicate.get(decision.row.id)!;
      if (!decision.keep && duplicate) truePositive++;
      if (!decision.keep && !duplicate) falsePositive++;
      if (decision.keep && duplicate) falseNegative++;
    }
    const precision = truePositive / (truePositive + falsePositive);
    const recall = truePositive / (truePositive + falseNegative);
    const kinds = countKinds(rows);
    console.log(`minhash constructed set: ${rows.length} rows (${JSON.stringify(kinds)}); precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)} (TP ${truePositive}, FP ${falsePositive}, FN ${falseNegative})`);
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    const dropped = decisions.find((decision) => !decision.keep)!;
    expect(dropped.reason).toMatch(/near duplicate of .+ \(Jaccard \d\.\d{3} ≥ 0\.9\)/);
  });

  it('chooses LSH bands around the threshold (datasketch rule, or recall-weighted when confirming)', () => {
    const plain = optimalBanding(0.9, 128);
    expect(plain).toEqual({ bands: 5, rows: 25 });
    const { bands, rows } = new MinHashIndex({ numPerm: 128, threshold: 0.9, ngram: 5, seed: 1, verify: 'exact' });
    expect(bands * rows).toBeLessThanOrEqual(128);
    // Tuned for recall when candidates are confirmed: rarely a candidate at 0.5, almost surely at 0.92.
    const collide = (s: number) => 1 - (1 - s ** rows) ** bands;
    expect(collide(0.5)).toBeLessThan(0.01);
    expect(collide(0.92)).toBeGreaterThan(0.98);
  });

  it('computes exact Jaccard on word 5-gram shingles after normalisation', () => {
    const text = 'one two three four five six seven eight nine ten';
    expect(jaccardSorted(shingleHashes(text, 5), shingleHashes(text.toUpperCase().replace(/ /g, ' , '), 5))).toBe(1);
    const changedLast = shingleHashes('one two three four five six seven eight nine eleven', 5);
    expect(jaccardSorted(shingleHashes(text, 5), changedLast)).toBeCloseTo(5 / 7, 10);
    const index = new MinHashIndex({ numPerm: 128, threshold: 0.9, ngram: 5, seed: 1, verify: 'estimate' });
    expect(index.add(text).duplicateOf).toBeUndefined();
    expect(index.add(`${text}.`).duplicateOf).toBe(0);
    expect(index.add('completely different words in this sentence here now').duplicateOf).toBeUndefined();
  });
});

type Kind = 'original' | 'copy' | 'paraphrase' | 'negative';

/**
 * Originals (unrelated random texts of 80–220 words over a 3,000-word vocabulary), then, shuffled:
 * exact copies, paraphrases (formatting changes, one substituted word in texts of 130+ words, a
 * short sentence added or removed at the end) and hard negatives (30 % of words replaced, or the
 * first half of one text joined to the second half of another).
 */
function constructedSet(seed: number): { rows: RowV1[]; isDuplicate: Map<string, boolean> } {
  const random = new SeededRandom(seed);
  const vocabulary = Array.from({ length: 3000 }, (_, index) => syllables(random, index));
  const originals = Array.from({ length: 400 }, () => Array.from({ length: 80 + random.below(140) }, () => vocabulary[random.below(vocabulary.length)]!));
  const rows: Array<RowV1 & { meta: { kind: Kind } }> = originals.map((words, index) => ({ id: `o${index}`, instruction: words.join(' '), meta: { kind: 'original' } }));
  const variants: typeof rows = [];
  for (let index = 0; index < 150; index++) {
    const source = rows[random.below(rows.length)]!;
    variants.push({ id: `c${index}`, instruction: source.instruction, meta: { kind: 'copy' } });
  }
  const long = originals.map((words, index) => ({ words, index })).filter((item) => item.words.length >= 130);
  for (let index = 0; index < 250; index++) {
    const pick = random.below(3);
    const { words } = pick === 1 ? long[random.below(long.length)]! : { words: originals[random.below(originals.length)]! };
    let text: string;
    if (pick === 0) text = words.map((word, position) => (position % 7 === 0 ? word.toUpperCase() : word)).join('  ').replace(/(\S+) (\S+) /g, '$1, $2 ') + '!';
    else if (pick === 1) {
      const copy = [...words];
      copy[10 + random.below(copy.length - 20)] = vocabulary[random.below(vocabulary.length)]!;
      text = copy.join(' ');
    } else text = random.below(2) === 0 ? `${words.join(' ')} and that is all` : words.slice(0, -2).join(' ');
    variants.push({ id: `p${index}`, instruction: text, meta: { kind: 'paraphrase' } });
  }
  for (let index = 0; index < 200; index++) {
    const words = originals[random.below(originals.length)]!;
    const text =
      index % 2 === 0
        ? words.map((word) => (random.next() < 0.3 ? vocabulary[random.below(vocabulary.length)]! : word)).join(' ')
        : [...words.slice(0, words.length >> 1), ...originals[random.below(originals.length)]!.slice(40)].join(' ');
    variants.push({ id: `n${index}`, instruction: text, meta: { kind: 'negative' } });
  }
  const all = [...rows, ...random.shuffle(variants)];
  const isDuplicate = new Map(all.map((row) => [row.id, row.meta.kind === 'copy' || row.meta.kind === 'paraphrase']));
  return { rows: all, isDuplicate };
}

function countKinds(rows: RowV1[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[(row.meta as { kind: string }).kind] = (counts[(row.meta as { kind: string }).kind] ?? 0) + 1;
  return counts;
}

function syllables(random: SeededRandom, index: number): string {
  const parts = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fu'];
  let word = '';
  for (let count = 0; count < 2 + random.below(3); count++) word += parts[random.below(parts.length)];
  return `${word}${index}`;
}
