import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DistillError, defineEvaluator, type EvaluatorV1, type EvaluatorV1Request, type EvaluatorV1Result, type RowV1, type RunContextV1 } from '@easydistill/core';
import { generateItems } from '../task/generate-items';
import { isCorrect, parseInstruction } from '../task/parse-instruction';
import { SKILLS } from '../task/skills';

const MODEL_NAME = /^[A-Za-z0-9._-]+$/;

export const skillsEvaluatorOptionsSchema = z.strictObject({
  models: z
    .union([z.array(z.string().min(1)).min(1), z.record(z.string().regex(MODEL_NAME), z.string().min(1))])
    .describe('Models to evaluate: teacher references (a component, a model folder or an earlier stage\'s model), as a list or as { column name: reference }'),
  perSkill: z.number().int().positive().default(20).describe('Items per skill drawn when the stage has no input dataset'),
  phrasings: z.enum(['train', 'held-out', 'all']).default('held-out').describe('Phrasings the drawn items use (no input dataset)'),
  itemSeed: z.number().int().default(7).describe('Seed of the drawn items (no input dataset)'),
  maxTokens: z.number().int().positive().default(32).describe('New tokens per answer (greedy)'),
  concurrency: z.number().int().positive().default(16).describe('Requests in flight per model (a served model decodes them in one batch)'),
  limit: z.number().int().positive().optional().describe('Evaluate only the first N items (smoke runs)'),
});
export type SkillsEvaluatorOptions = z.output<typeof skillsEvaluatorOptionsSchema>;

export function modelReferences(options: Pick<SkillsEvaluatorOptions, 'models'>): Array<[name: string, reference: string]> {
  const { models } = options;
  if (!Array.isArray(models)) return Object.entries(models);
  return models.map((reference) => [reference.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model', reference]);
}

/** One scored answer. */
export interface SkillsItemResult {
  model: string;
  id: string;
  skill: string;
  heldOut: boolean;
  instruction: string;
  expected: string;
  response: string;
  correct: boolean;
}

const percent = (value: number) => (100 * value).toFixed(1);

/** Accuracy per skill, over held-out and seen phrasings, and overall, for one model's results. */
export function summarise(results: readonly SkillsItemResult[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  const accuracy = (items: readonly SkillsItemResult[]) => (items.length === 0 ? Number.NaN : items.filter((item) => item.correct).length / items.length);
  metrics.accuracy = accuracy(results);
  for (const skill of SKILLS) {
    const items = results.filter((item) => item.skill === skill.id);
    if (items.length > 0) metrics[`accuracy/${skill.id}`] = accuracy(items);
  }
  const heldOut = results.filter((item) => item.heldOut);
  const seen = results.filter((item) => !item.heldOut);
  if (heldOut.length > 0) metrics['accuracy/held-out-phrasings'] = accuracy(heldOut);
  if (seen.length > 0) metrics['accuracy/seen-phrasings'] = accuracy(seen);
  metrics.items = results.length;
  return metrics;
}

/** Markdown table: one row per skill (and overall), one column per model, accuracy in %. */
export function formatSkillsTable(metrics: Record<string, Record<string, number>>): string {
  const models = Object.keys(metrics);
  const keys = [...new Set(models.flatMap((model) => Object.keys(metrics[model]!)))].filter((key) => key.startsWith('accuracy/'));
  const lines = [`| skills accuracy (%) | ${models.join(' | ')} |`, `| --- | ${models.map(() => '---:').join(' | ')} |`];
  for (const key of keys) lines.push(`| ${key.slice('accuracy/'.length)} | ${models.map((model) => (metrics[model]![key] === undefined ? '' : percent(metrics[model]![key]!))).join(' | ')} |`);
  lines.push(`| **all** | ${models.map((model) => `**${percent(metrics[model]!.accuracy!)}**`).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * `skills/eval`: greedy answers from each model to the skills-task items (the stage's input
 * dataset, or items drawn with `itemSeed`), each checked by rule. Writes `items.jsonl` and
 * `summary.json`; returns accuracy per skill and model and a comparison table.
 */
export class SkillsEvaluator implements EvaluatorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'skills/eval';

  constructor(
    private readonly options: SkillsEvaluatorOptions,
    private readonly context: RunContextV1,
  ) {}

  private async items(request: EvaluatorV1Request): Promise<RowV1[]> {
    let rows: RowV1[] = [];
    if (request.input) {
      for await (const row of request.input.rows()) rows.push(row);
    } else {
      rows = generateItems({ perSkill: this.options.perSkill, seed: this.options.itemSeed, phrasings: this.options.phrasings, idPrefix: 'eval' });
    }
    return this.options.limit ? rows.slice(0, this.options.limit) : rows;
  }

  async doEvaluate(request: EvaluatorV1Request): Promise<EvaluatorV1Result> {
    const rows = await this.items(request);
    const items = rows.map((row) => {
      const instruction = typeof row.instruction === 'string' ? row.instruction : row.messages?.find((message) => message.role === 'user')?.content;
      const parsed = typeof instruction === 'string' ? parseInstruction(instruction) : undefined;
      if (!parsed) {
        throw new DistillError({ code: 'INVALID_DATASET', message: `skills/eval: row "${row.id}" of ${request.input?.path ?? 'the drawn items'} is not a skills-task instruction: ${JSON.stringify(instruction)}` });
      }
      return { row, instruction: instruction as string, parsed };
    });
    const models = modelReferences(this.options);
    this.context.progress.start(items.length * models.length, 'answers');
    const results: SkillsItemResult[] = [];
    const metrics: Record<string, Record<string, number>> = {};
    const categories: Record<string, Record<string, number>> = {};
    for (const [name, reference] of models) {
      const teacher = await this.context.getTeacher(reference);
      const own: SkillsItemResult[] = new Array(items.length);
      let next = 0;
      const worker = async () => {
        while (next < items.length) {
          const index = next++;
          const { row, instruction, parsed } = items[index]!;
          if (this.context.signal.aborted) throw new DistillError({ code: 'RUN_FAILED', message: 'skills/eval: interrupted' });
          const response = await teacher.doGenerate({ messages: [{ role: 'user', content: instruction }], temperature: 0, maxTokens: this.options.maxTokens, seed: 0 });
          const text = response.choices[0]?.text ?? '';
          own[index] = { model: name, id: row.id, skill: parsed.skill.id, heldOut: parsed.heldOut, instruction, expected: parsed.expected, response: text, correct: isCorrect(text, parsed.expected) };
          this.context.progress.advance(1);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency, items.length) }, worker));
      results.push(...own);
      metrics[name] = summarise(own);
      categories[name] = Object.fromEntries(Object.entries(metrics[name]!).filter(([key]) => key.startsWith('accuracy/')).map(([key, value]) => [key.slice(9), value]));
    }
    this.context.progress.end();
    await mkdir(request.outputDir, { recursive: true });
    await writeFile(join(request.outputDir, 'items.jsonl'), results.map((result) => `${JSON.stringify(result)}\n`).join(''));
    await writeFile(join(request.outputDir, 'summary.json'), `${JSON.stringify({ benchmark: 'skills', items: items.length, metrics }, null, 2)}\n`);
    const table = formatSkillsTable(metrics);
    this.context.logger.info(`skills/eval: accuracy on ${items.length} items\n${table}`);
    return { benchmark: 'skills', metrics, categories, table };
  }
}

export const skillsEvaluatorDefinition = defineEvaluator({
  id: 'eval',
  description: 'Skills task: greedy answers from each model, checked by rule; accuracy per skill and a comparison table',
  optionsSchema: skillsEvaluatorOptionsSchema,
  teacherNeeds: (options) => modelReferences(options).map(([name, reference]) => ({ reference, path: `with.models.${name}` })),
  create: ({ options, context }) => new SkillsEvaluator(options, context),
});
