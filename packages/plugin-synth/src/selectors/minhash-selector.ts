import { z } from 'zod';
import { defineSelector, type RowV1, type SelectorV1, type SelectorV1Decision } from '@easydistill/core';
import { fieldsText, withMeta } from '../shared/row-text';
import { MinHashIndex } from './minhash-index';

export const minhashSelectorOptionsSchema = z.strictObject({
  /** Jaccard similarity of word n-gram sets from which rows are near-duplicates. */
  threshold: z.number().gt(0).max(1).default(0.9),
  /** Permutations per MinHash signature. */
  numPerm: z.number().int().min(16).max(1024).default(128),
  /** Words per shingle. */
  ngram: z.number().int().min(1).max(20).default(5),
  /** Fields compared (dotted paths); rows with only `messages` compare their messages. */
  fields: z.array(z.string().min(1)).min(1).default(['instruction', 'input']),
  /** How band collisions are confirmed: exact Jaccard (default), signature estimate, or none. */
  verify: z.enum(['exact', 'estimate', 'none']).default('exact'),
  /** Permutation seed (default 1, as datasketch). */
  seed: z.number().int().default(1),
});
export type MinhashSelectorOptions = z.output<typeof minhashSelectorOptionsSchema>;

/**
 * `synth/minhash`: near-duplicate removal with MinHash + LSH banding (linear, not quadratic).
 * Streams; the first row seen is kept and a dropped row's reason names the row it duplicates and
 * the similarity.
 */
export class MinhashSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/minhash';

  constructor(private readonly options: MinhashSelectorOptions) {}

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const index = new MinHashIndex(this.options);
    const keptIds: string[] = [];
    for await (const row of rows) {
      const match = index.add(fieldsText(row, this.options.fields));
      if (match.duplicateOf === undefined) {
        keptIds.push(row.id);
        yield { row, keep: true };
      } else {
        const of = keptIds[match.duplicateOf]!;
        yield { row: withMeta(row, { minhash: { duplicateOf: of, similarity: match.similarity } }), keep: false, reason: `near duplicate of ${of} (Jaccard ${match.similarity!.toFixed(3)} ≥ ${this.options.threshold})` };
      }
    }
  }
}

export const minhashSelectorDefinition = defineSelector({
  id: 'minhash',
  description: 'MinHash + LSH near-duplicate removal (128 permutations, word 5-grams, Jaccard 0.9)',
  optionsSchema: minhashSelectorOptionsSchema,
  create: ({ options }) => new MinhashSelector(options),
});
