import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { optionsMarkdown, optionsTable, typeOf } from './options-table';

describe('optionsTable', () => {
  it('describes every common zod type', () => {
    const rows = optionsTable(
      z.strictObject({
        teacher: z.string().describe('which teacher'),
        n: z.number().int().default(2),
        mode: z.enum(['a', 'b']).default('a'),
        literal: z.literal('x'),
        fields: z.array(z.enum(['p', 'q'])),
        range: z.tuple([z.number(), z.number()]).optional(),
        rest: z.tuple([z.string()], z.number()).optional(),
        scores: z.record(z.string(), z.number()).optional(),
        nested: z.object({ a: z.string() }).optional(),
        either: z.union([z.string(), z.number()]).optional(),
        nullable: z.string().nullable().optional(),
        anything: z.unknown().optional(),
        when: z.date().optional(),
        transformed: z.string().transform((text) => text.length).optional(),
        both: z.intersection(z.object({ a: z.string() }), z.object({ b: z.number() })).optional(),
      }),
    );
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    expect(byName.teacher).toEqual({ name: 'teacher', type: 'string', required: true, default: undefined, description: 'which teacher' });
    expect(byName.n).toMatchObject({ type: 'integer', required: false, default: 2 });
    expect(byName.mode.type).toBe('"a" | "b"');
    expect(byName.literal.type).toBe('"x"');
    expect(byName.fields.type).toBe('("p" | "q")[]');
    expect(byName.range.type).toBe('[number, number]');
    expect(byName.rest.type).toBe('[string, ...number[]]');
    expect(byName.scores.type).toBe('Record<string, number>');
    expect(byName.nested.type).toBe('object');
    expect(byName.either.type).toBe('string | number');
    expect(byName.nullable.type).toBe('string | null');
    expect(byName.anything.type).toBe('any');
    expect(byName.when.type).toBe('any');
    expect(byName.transformed.type).toBe('string');
    expect(byName.both.type).toBe('object');
  });

  it('handles boolean JSON Schemas (the crash of `easydistill plugins` on tuples)', () => {
    expect(typeOf(false)).toBe('never');
    expect(typeOf(true)).toBe('any');
    expect(typeOf({ anyOf: [false, { type: 'string' }] })).toBe('never | string');
    expect(typeOf({ type: 'array', prefixItems: [{ type: 'number' }], items: false })).toBe('[number]');
    expect(typeOf({ type: 'array', items: true })).toBe('any[]');
    expect(typeOf({ type: 'object', additionalProperties: true })).toBe('Record<string, any>');
    expect(typeOf({ $ref: '#/$defs/Row' })).toBe('Row');
    expect(typeOf({ type: ['string', 'array'], items: { type: 'number' } })).toBe('string | number[]');
  });

  it('lists the options of a union of objects, required only when every variant requires them', () => {
    const rows = optionsTable(z.union([z.object({ kind: z.literal('a'), a: z.string() }), z.object({ kind: z.literal('b'), b: z.number() })]));
    expect(rows.map((row) => [row.name, row.type, row.required])).toEqual([
      ['kind', '"a" | "b"', true],
      ['a', 'string', false],
      ['b', 'number', false],
    ]);
  });

  it('never throws: non-object and empty schemas', () => {
    expect(optionsTable(z.object({}))).toEqual([]);
    expect(optionsTable(z.any())).toEqual([]);
    expect(optionsTable(z.string())).toEqual([{ name: '(options)', type: 'string', required: true, description: undefined }]);
    const lazy: z.ZodType = z.lazy(() => z.object({ child: lazy.optional() }));
    expect(() => optionsTable(lazy)).not.toThrow();
  });

  it('renders Markdown', () => {
    expect(optionsMarkdown([])).toBe('_No options._');
    expect(optionsMarkdown(optionsTable(z.object({ mode: z.enum(['a', 'b']).default('a') })))).toContain('| `mode` | "a" \\| "b" | no | `"a"` |  |');
  });
});
