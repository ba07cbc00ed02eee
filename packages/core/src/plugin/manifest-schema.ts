import { z } from 'zod';

const isFunction = (value: unknown) => typeof value === 'function';
const kebab = /^[a-z0-9][a-z0-9-]*$/;

const componentSchema = z.looseObject({
  kind: z.enum(['teacher', 'agent', 'selector', 'verifier', 'trainer', 'evaluator', 'publisher']),
  id: z.string().regex(kebab, 'expected a lowercase kebab-case id'),
  specificationVersion: z.string(),
  description: z.string().optional(),
  optionsSchema: z.custom<z.ZodType>(
    (value) => typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function',
    'expected a zod schema',
  ),
  teacherNeeds: z.custom<(...args: never[]) => unknown>(isFunction, 'expected a function').optional(),
  writesLogits: z.custom<(...args: never[]) => unknown>(isFunction, 'expected a function').optional(),
  opensModels: z.boolean().optional(),
  create: z.custom<(...args: never[]) => unknown>(isFunction, 'expected a function'),
});

const commandSchema = z.looseObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*( [a-z0-9][a-z0-9-]*)*$/, 'expected lowercase words'),
  summary: z.string(),
  usage: z.string(),
  run: z.custom<(...args: never[]) => unknown>(isFunction, 'expected a function'),
});

/** Run-time shape check of a plugin's default export (the TypeScript types live in plugin-manifest.ts). */
export const pluginManifestSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  apiVersion: z.number().int(),
  namespace: z.string().regex(kebab, 'expected a lowercase kebab-case namespace'),
  provides: z.array(componentSchema),
  commands: z.array(commandSchema).optional(),
});
