import { z } from 'zod';

/** One option of a component, as `easydistill plugins` and READMEs show it. */
export interface OptionRow {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Array<Record<string, unknown>>).map(typeOf).join(' | ');
  if (schema.type === 'array') return `${typeOf((schema.items as Record<string, unknown>) ?? {})}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return typeof schema.type === 'string' ? schema.type : 'any';
}

/** The options of a component's zod schema as rows (name, type, required, default, description). */
export function optionsTable(schema: z.ZodType): OptionRow[] {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return [];
  }
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: typeOf(property),
    required: required.has(name),
    default: property.default,
    description: typeof property.description === 'string' ? property.description : undefined,
  }));
}

/** Renders option rows as a Markdown table. */
export function optionsMarkdown(rows: OptionRow[]): string {
  if (rows.length === 0) return '_No options._';
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| option | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.name}\` | ${escape(row.type)} | ${row.required ? 'yes' : 'no'} | ${row.default === undefined ? '' : `\`${escape(JSON.stringify(row.default))}\``} | ${escape(row.description ?? '')} |`),
  ].join('\n');
}
