import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import plugin from './index';

// The README's option tables are checked against the zod schemas: one section per component,
// the same options, required flags and defaults.
describe('README', () => {
  it('documents every component with exactly the options of its schema', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const sections = readme.split(/^### /m).slice(1);
    expect(sections.map((section) => /^`([^`]+)`/.exec(section)![1])).toEqual(plugin.provides.map((definition) => `publisher-hf/${definition.id}`));
    plugin.provides.forEach((definition, index) => {
      const documented = sections[index]!
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
        .map((cells) => ({ name: cells[1]!.replaceAll('`', ''), required: cells[3] === 'yes', default: cells[4] ? JSON.parse(cells[4].replaceAll('`', '').replaceAll('\\|', '|')) : undefined }));
      const schema = z.toJSONSchema(definition.optionsSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { default?: unknown }>; required?: string[] };
      expect(documented, definition.id).toEqual(Object.entries(schema.properties).map(([name, property]) => ({ name, required: (schema.required ?? []).includes(name), default: property.default })));
    });
  });
});
