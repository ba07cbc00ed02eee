import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineSelector, type RowV1, type SelectorV1, type SelectorV1Decision } from '@easydistill/core';
import { fieldsText } from '../shared/row-text';
import { normaliseText } from '../shared/text-normalise';

export const dedupSelectorOptionsSchema = z.strictObject({
  /** Fields compared (dotted paths); rows with only `messages` compare their messages. */
  fields: z.array(z.string().min(1)).min(1).default(['instruction', 'input']),
  /** `full`: case, Unicode form, punctuation and spacing ignored; `whitespace`: spacing only; `none`: byte-exact. */
  normalize: z.enum(['full', 'whitespace', 'none']).default('full'),
});
export type DedupSelectorOptions = z.output<typeof dedupSelectorOptionsSchema>;

/** `synth/dedup`: exact duplicate removal after normalisation; the first row seen is kept. Streams. */
export class DedupSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/dedup';

  constructor(private readonly options: DedupSelectorOptions) {}

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const seen = new Map<string, string>();
    for await (const row of rows) {
      const text = fieldsText(row, this.options.fields);
      const normalised = this.options.normalize === 'full' ? normaliseText(text) : this.options.normalize === 'whitespace' ? text.replace(/\s+/g, ' ').trim() : text;
      // A 16-byte digest per row keeps memory flat however long the rows are.
      const key = createHash('sha1').update(normalised).digest('base64');
      const first = seen.get(key);
      if (first !== undefined) {
        yield { row, keep: false, reason: `exact duplicate of ${first}` };
      } else {
        seen.set(key, row.id);
        yield { row, keep: true };
      }
    }
  }
}

export const dedupSelectorDefinition = defineSelector({
  id: 'dedup',
  description: 'Exact duplicate removal after normalisation (first seen wins)',
  optionsSchema: dedupSelectorOptionsSchema,
  create: ({ options }) => new DedupSelector(options),
});
