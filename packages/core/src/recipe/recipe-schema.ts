import { z } from 'zod';
import { DATASET_FORMATS } from '../dataset/dataset-format';

/** The `apiVersion` every recipe declares. */
export const RECIPE_API_VERSION = 'easydistill/v1';

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');
const componentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/, 'expected "<namespace>/<id>", e.g. "synth/expand"');
const optionsSchema = z.record(z.string(), z.unknown());

/** A named component under `components`, referenced from stage options by its name. */
export const recipeComponentSchema = z.strictObject({
  use: componentIdSchema.describe('Component id, `<namespace>/<id>`'),
  options: optionsSchema.optional().describe("The component's options (checked against its own schema)"),
  description: z.string().optional(),
});

/** A dataset file the recipe brings. `path` is relative to the recipe's folder. */
export const recipeDatasetSchema = z.strictObject({
  path: z.string().min(1).describe('JSONL file, relative to the recipe'),
  format: z.enum(DATASET_FORMATS).default('auto').describe('alpaca | sharegpt | messages | rows | auto (detect per row)'),
});

/** One step of the recipe. `in`/`out` name datasets (or, for trainers and publishers, models). */
export const recipeStageSchema = z.strictObject({
  id: nameSchema.describe('Stage id; its folder is runs/<name>/stages/<id>/'),
  use: componentIdSchema.describe('Component id, `<namespace>/<id>`'),
  in: nameSchema.optional().describe('Dataset (or model, for publishers) the stage reads'),
  out: nameSchema.optional().describe('Dataset (model for trainers, report for evaluators) the stage writes'),
  with: optionsSchema.optional().describe("The component's options (checked against its own schema)"),
  concurrency: z.number().int().positive().optional().describe('Rows processed at once (agents and verifiers)'),
  description: z.string().optional(),
});

/** A dataset written to a file in a chosen format when the run ends. */
export const recipeExportSchema = z.strictObject({
  from: nameSchema.describe('Dataset to export'),
  path: z.string().min(1).describe('Target file, relative to the recipe'),
  format: z.enum(['alpaca', 'sharegpt', 'messages', 'rows']).default('rows'),
});

/** Structural pass of a recipe: every component's options are `unknown` here and checked in pass two. */
export const recipeSchema = z.strictObject({
  $schema: z.string().optional(),
  apiVersion: z.literal(RECIPE_API_VERSION),
  name: nameSchema.describe('Run name; the run folder is runs/<name>/ under the working directory'),
  description: z.string().optional(),
  seed: z.number().int().default(0).describe('Base seed; stages derive theirs from it and their id'),
  cache: z.string().optional().describe('Request-cache folder (relative to the recipe); default <runDir>/cache'),
  plugins: z.array(z.string().min(1)).default([]).describe('Plugin packages or local paths'),
  components: z.record(nameSchema, recipeComponentSchema).default({}),
  datasets: z.record(nameSchema, recipeDatasetSchema).default({}),
  stages: z.array(recipeStageSchema).min(1, 'a recipe needs at least one stage'),
  exports: z.record(nameSchema, recipeExportSchema).default({}),
});

export type Recipe = z.output<typeof recipeSchema>;
export type RecipeStage = z.output<typeof recipeStageSchema>;

/** Allowed keys per place, for "unknown key" messages. */
export const RECIPE_KEYS = {
  recipe: Object.keys(recipeSchema.shape),
  component: Object.keys(recipeComponentSchema.shape),
  dataset: Object.keys(recipeDatasetSchema.shape),
  stage: Object.keys(recipeStageSchema.shape),
  export: Object.keys(recipeExportSchema.shape),
};

/** JSON Schema of the recipe format (for editors: `# yaml-language-server: $schema=…`). */
export function recipeJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(recipeSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'EasyDistill recipe',
  } as Record<string, unknown>;
}
