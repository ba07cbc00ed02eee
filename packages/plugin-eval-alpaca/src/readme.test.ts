import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { alpacaEvaluator } from './index';

// The README's options table is checked against the evaluator's zod schema: the same options, the
// same required ones, the same defaults.
describe('README', () => {
  it('lists exactly the options of the schema, with their required flags and defaults', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = readme
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()));
    const documented = rows.map((cells) => ({ name: cells[1]!.replaceAll('`', ''), required: cells[3] === 'yes', default: cells[4] ? JSON.parse(cells[4].replaceAll('`', '')) : undefined }));
    const schema = z.toJSONSchema(alpacaEvaluator.optionsSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { default?: unknown }>; required?: string[] };
    expect(documented).toEqual(
      Object.entries(schema.properties).map(([name, property]) => ({ name, required: (schema.required ?? []).includes(name), default: property.default })),
    );
  });
});
