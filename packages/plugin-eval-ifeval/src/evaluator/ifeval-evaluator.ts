import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { EvaluatorV1, EvaluatorV1Request, EvaluatorV1Result, RunContextV1 } from '@easydistill/core';
import { readIfevalInputData } from '../read-input-data';
import { readIfevalResponses } from '../read-responses';
import { scoreIfeval, toOfficialEvalResult, type IfevalSummary } from '../score-ifeval';
import { formatIfevalTable } from './format-ifeval-table';
import { generateIfevalResponses, IFEVAL_MAX_TOKENS } from './generate-responses';

const MODEL_NAME = /^[A-Za-z0-9._-]+$/;

/** Options of the `ifeval/run` evaluator, as written in a recipe. */
export const ifevalEvaluatorOptionsSchema = z.strictObject({
  /**
   * Models to evaluate: teacher references (a component name, a model folder or an earlier stage's
   * model), as a list, or as `{ name: reference }` to name the table columns (`student`, `teacher`).
   */
  models: z.union([z.array(z.string().min(1)).min(1), z.record(z.string().regex(MODEL_NAME), z.string().min(1))]),
  /** New tokens per answer. Default 1,280 (lm-eval). */
  maxTokens: z.number().int().positive().default(IFEVAL_MAX_TOKENS),
  /** Requests in flight per model. Default 4. */
  concurrency: z.number().int().positive().default(4),
  /** Evaluate only the first N prompts (smoke runs); the metrics are then not comparable. */
  limit: z.number().int().positive().optional(),
  /** Prompts in the official `input_data.jsonl` format; default: the 541 shipped prompts. */
  inputData: z.string().min(1).optional(),
  /** Seed of langdetect's sampler (the official code is unseeded). Default 0. */
  languageDetectionSeed: z.number().int().nonnegative().default(0),
});

export type IfevalEvaluatorOptions = z.output<typeof ifevalEvaluatorOptionsSchema>;

/** The models of the options as `[name, reference]` pairs (names are folder-safe). */
export function modelReferences(options: Pick<IfevalEvaluatorOptions, 'models'>): Array<[name: string, reference: string]> {
  const { models } = options;
  if (!Array.isArray(models)) return Object.entries(models);
  return models.map((reference) => [reference.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model', reference]);
}

const jsonl = (rows: readonly unknown[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

/**
 * `ifeval/run`: for each model, generates answers to the IFEval prompts (greedy, 1,280 tokens,
 * resuming from `<model>/input_response_data.jsonl` when present), scores them strict and loose
 * as the official code does, and writes per model the official files (`input_response_data.jsonl`,
 * `eval_results_strict.jsonl`, `eval_results_loose.jsonl`), plus `items.jsonl` (one line per model
 * and prompt), `summary.json` (the four metrics, per category and per instruction) and `table.md`
 * (models side by side; with two models, the difference).
 */
export class IfevalEvaluator implements EvaluatorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'ifeval/run';

  constructor(
    private readonly options: IfevalEvaluatorOptions,
    private readonly context: RunContextV1,
  ) {}

  async doEvaluate(request: EvaluatorV1Request): Promise<EvaluatorV1Result> {
    const { options, context } = this;
    const inputPath = options.inputData === undefined ? undefined : isAbsolute(options.inputData) ? options.inputData : resolve(context.recipeDir, options.inputData);
    const allInputs = await readIfevalInputData(inputPath);
    const inputs = options.limit === undefined ? allInputs : allInputs.slice(0, options.limit);
    const models = modelReferences(options);
    await mkdir(request.outputDir, { recursive: true });

    const summaries: Record<string, IfevalSummary> = {};
    const items: unknown[] = [];
    context.progress.start(inputs.length * models.length, 'prompts');
    for (const [name, reference] of models) {
      const modelDir = join(request.outputDir, name);
      await mkdir(modelDir, { recursive: true });
      const responsesPath = join(modelDir, 'input_response_data.jsonl');
      const existing = existsSync(responsesPath) ? await readIfevalResponses(responsesPath) : new Map<string, string>();
      const wanted = new Set(inputs.map((input) => input.prompt));
      const reused = [...existing.keys()].filter((prompt) => wanted.has(prompt)).length;
      if (reused > 0) {
        context.logger.info(`ifeval: ${name}: reusing ${reused} responses from ${responsesPath}`);
        context.progress.advance(reused);
      }
      const model = await context.getTeacher(reference);
      context.logger.info(`ifeval: ${name}: generating ${inputs.length - reused} responses with ${model.modelId}`);
      const responses = await generateIfevalResponses(model, inputs, {
        existing,
        concurrency: options.concurrency,
        maxTokens: options.maxTokens,
        signal: context.signal,
        onResponse: async (prompt, response) => {
          await appendFile(responsesPath, `${JSON.stringify({ prompt, response })}\n`);
          context.progress.advance(1);
        },
      });
      const scored = scoreIfeval(inputs, responses, { languageDetectionSeed: options.languageDetectionSeed });
      summaries[name] = scored.summary;
      await writeFile(join(modelDir, 'eval_results_strict.jsonl'), jsonl(scored.items.map((item) => toOfficialEvalResult(item, 'strict'))));
      await writeFile(join(modelDir, 'eval_results_loose.jsonl'), jsonl(scored.items.map((item) => toOfficialEvalResult(item, 'loose'))));
      for (const item of scored.items) items.push({ model: name, ...item });
      context.logger.info(`ifeval: ${name}: prompt strict ${scored.summary.prompt_level_strict_acc.toFixed(4)}, instruction loose ${scored.summary.inst_level_loose_acc.toFixed(4)}`);
    }
    context.progress.end();
    await writeFile(join(request.outputDir, 'items.jsonl'), jsonl(items));
    await writeFile(join(request.outputDir, 'summary.json'), `${JSON.stringify({ benchmark: 'ifeval', prompts: inputs.length, models: summaries }, null, 2)}\n`);

    const metrics: Record<string, Record<string, number>> = {};
    const categories: Record<string, Record<string, number>> = {};
    for (const [name, summary] of Object.entries(summaries)) {
      metrics[name] = {
        prompt_level_strict_acc: summary.prompt_level_strict_acc,
        inst_level_strict_acc: summary.inst_level_strict_acc,
        prompt_level_loose_acc: summary.prompt_level_loose_acc,
        inst_level_loose_acc: summary.inst_level_loose_acc,
      };
      categories[name] = Object.fromEntries(
        (['strict', 'loose'] as const).flatMap((mode) =>
          Object.entries(summary[mode].by_category).map(([category, accuracy]) => [`${category} (${mode})`, accuracy.accuracy]),
        ),
      );
    }
    const table = formatIfevalTable(summaries);
    await writeFile(join(request.outputDir, 'table.md'), `${table}\n`);
    return { benchmark: 'ifeval', metrics, categories, table };
  }
}
