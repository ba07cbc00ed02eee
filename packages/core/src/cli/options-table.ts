import { z } from 'zod';

/** One option of a component, as `easydistill plugins` and READMEs show it. */
export interface OptionRow {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

/** A JSON Schema node: an object, or the boolean schemas `true` (anything) and `false` (nothing). */
type JsonSchema = boolean | Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function group(text: string): string {
  return text.includes(' | ') ? `(${text})` : text;
}

function union(schemas: unknown[], depth: number): string {
  const parts = [...new Set(schemas.map((schema) => typeOf(schema as JsonSchema, depth + 1)))];
  return parts.length === 0 ? 'never' : parts.join(' | ');
}

/**
 * A short type for a JSON Schema node (`string`, `"a" | "b"`, `number[]`, `[number, number]`,
 * `Record<string, number>`). Total: any schema, boolean ones included, gives some text.
 */
export function typeOf(schema: JsonSchema | undefined, depth = 0): string {
  if (schema === undefined || schema === true) return 'any';
  if (schema === false) return 'never';
  if (!isObject(schema)) return 'any';
  if (depth > 6) return '…';
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ') || 'never';
  if (Object.hasOwn(schema, 'const')) return JSON.stringify(schema.const) ?? 'any';
  if (Array.isArray(schema.anyOf)) return union(schema.anyOf, depth);
  if (Array.isArray(schema.oneOf)) return union(schema.oneOf, depth);
  if (Array.isArray(schema.allOf)) {
    const parts = [...new Set(schema.allOf.map((part) => typeOf(part as JsonSchema, depth + 1)))].filter((part) => part !== 'any');
    return parts.length === 0 ? 'any' : parts.map(group).join(' & ');
  }
  if (typeof schema.$ref === 'string') return schema.$ref === '#' ? 'object' : (schema.$ref.split('/').at(-1) ?? 'any');
  const type = schema.type;
  if (Array.isArray(type)) {
    return type.map((entry) => (entry === 'array' || entry === 'object' ? typeOf({ ...schema, type: entry }, depth + 1) : String(entry))).join(' | ');
  }
  if (type === 'array') {
    if (Array.isArray(schema.prefixItems)) {
      const items = schema.prefixItems.map((item) => typeOf(item as JsonSchema, depth + 1));
      const rest = schema.items === undefined || schema.items === false ? [] : [`...${group(typeOf(schema.items as JsonSchema, depth + 1))}[]`];
      return `[${[...items, ...rest].join(', ')}]`;
    }
    return `${group(typeOf(schema.items as JsonSchema | undefined, depth + 1))}[]`;
  }
  if (type === 'object') {
    const hasProperties = isObject(schema.properties) && Object.keys(schema.properties).length > 0;
    const extra = schema.additionalProperties;
    if (!hasProperties && extra !== undefined && extra !== false) return `Record<string, ${typeOf(extra as JsonSchema, depth + 1)}>`;
    return 'object';
  }
  if (typeof type === 'string') return type;
  if (isObject(schema.not)) return 'any';
  return 'any';
}

function rowsOf(json: Record<string, unknown>): OptionRow[] {
  const properties = isObject(json.properties) ? json.properties : {};
  const required = new Set(Array.isArray(json.required) ? json.required.filter((name): name is string => typeof name === 'string') : []);
  return Object.entries(properties).map(([name, property]) => {
    const node = isObject(property) ? property : {};
    return {
      name,
      type: typeOf(property as JsonSchema),
      required: required.has(name),
      default: node.default,
      description: typeof node.description === 'string' ? node.description : undefined,
    };
  });
}

/**
 * The options of a component's zod schema as rows (name, type, required, default, description).
 * Never throws: a schema JSON Schema cannot express, or one that is not an object, gives one row
 * describing it as a whole (or none). A union of objects lists each variant's options, required
 * only when every variant requires it.
 */
export function optionsTable(schema: z.ZodType): OptionRow[] {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return [{ name: '(options)', type: 'any', required: false, description: 'not describable as JSON Schema' }];
  }
  if (!isObject(json)) return [];
  if (json.type === 'object' || isObject(json.properties)) return rowsOf(json);
  const variants = Array.isArray(json.anyOf) ? json.anyOf : Array.isArray(json.oneOf) ? json.oneOf : undefined;
  if (variants && variants.length > 0 && variants.every((variant) => isObject(variant) && (variant.type === 'object' || isObject(variant.properties)))) {
    const merged = new Map<string, OptionRow>();
    const tables = variants.map((variant) => rowsOf(variant as Record<string, unknown>));
    for (const row of tables.flat()) {
      const existing = merged.get(row.name);
      if (!existing) merged.set(row.name, { ...row, required: tables.every((table) => table.some((entry) => entry.name === row.name && entry.required)) });
      else if (!existing.type.split(' | ').includes(row.type)) existing.type = `${existing.type} | ${row.type}`;
    }
    return [...merged.values()];
  }
  if (json.type === undefined && Object.keys(json).every((key) => key === '$schema' || key === 'default' || key === 'description')) return [];
  return [{ name: '(options)', type: typeOf(json), required: true, description: typeof json.description === 'string' ? json.description : undefined }];
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
