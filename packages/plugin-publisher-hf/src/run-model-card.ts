import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { readRunFolder, type PublisherV1Request, type RunReportData, type StageReport } from '@easydistill/core';
import { generateModelCard, type ModelCardEvaluation, type ModelCardInput, type ModelCardTeacher } from './model-card';

/** Model card options shared by the three publishers. */
export const modelCardOptionsShape = {
  license: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/, 'a Hub licence id such as apache-2.0, mit, llama3.1 or other')
    .optional()
    .describe('Hub licence id of the published model; default "other" with a note to set it (check the base model, teacher terms and data)'),
  licenseName: z.string().min(1).optional().describe('Licence name shown for license "other"'),
  licenseLink: z.string().url().optional().describe('Licence link shown for license "other"'),
  baseModel: z.string().min(1).optional().describe("The student's base model (Hub id); default: the trainer stage's `student` option"),
};
export type ModelCardOptions = { license?: string; licenseName?: string; licenseLink?: string; baseModel?: string };

const TEACHER_NAME = /teacher/i;
const BASELINE_NAME = /without|baseline|undistilled|\bbase\b/i;

/** The trainer stages that produced `modelName` (following `from` back to the first student). */
function trainerChain(data: RunReportData, modelName: string | undefined): StageReport[] {
  const trainers = data.stages.filter((stage) => stage.kind === 'trainer');
  let current: StageReport | undefined = trainers.find((stage) => stage.out === modelName) ?? trainers[trainers.length - 1];
  const chain: StageReport[] = [];
  while (current && !chain.includes(current)) {
    chain.unshift(current);
    const from: unknown = current.options?.from;
    current = typeof from === 'string' ? trainers.find((stage) => stage.out === from) : undefined;
  }
  return chain;
}

function teachersOf(data: RunReportData): ModelCardTeacher[] {
  const uses = new Map<string, string[]>();
  for (const stage of data.stages) {
    for (const teacher of stage.teachers) {
      const reference = teacher.replace(/ \(.*\)$/, '');
      uses.set(reference, [...(uses.get(reference) ?? []), stage.id]);
    }
  }
  return [...uses].map(([reference, stages]) => ({
    name: data.components[reference]?.model ?? reference,
    via: data.components[reference]?.use,
    role: `stages ${stages.join(', ')}`,
  }));
}

/** Evaluator results as card rows: the student, the teacher and a baseline (e.g. "student without teacher") side by side. */
function evaluationRows(data: RunReportData): ModelCardEvaluation[] {
  const rows: ModelCardEvaluation[] = [];
  for (const evaluation of data.evaluations) {
    const models = Object.keys(evaluation.metrics);
    const teacher = models.find((model) => TEACHER_NAME.test(model) && !/student/i.test(model));
    const baseline = models.find((model) => model !== teacher && BASELINE_NAME.test(model));
    const student = models.find((model) => model !== teacher && model !== baseline) ?? models[0];
    if (student === undefined) continue;
    const add = (metric: string, pick: (model: string) => number | undefined, category?: string) => {
      const value = pick(student);
      if (value === undefined) return;
      rows.push({
        benchmark: evaluation.benchmark,
        metric,
        student: value,
        ...(teacher !== undefined && pick(teacher) !== undefined ? { teacher: pick(teacher) } : {}),
        ...(baseline !== undefined && pick(baseline) !== undefined ? { baseline: pick(baseline), baselineName: baseline } : {}),
        ...(category ? { category } : {}),
      });
    };
    for (const metric of Object.keys(evaluation.metrics[student] ?? {})) add(metric, (model) => evaluation.metrics[model]?.[metric]);
    for (const category of Object.keys(evaluation.categories?.[student] ?? {})) add('score', (model) => evaluation.categories?.[model]?.[category], category);
  }
  return rows;
}

/**
 * The model card of a model published from a run: read from the run folder (`context.runDir`) —
 * base model, teachers and their model ids, the recipe, the data funnel with rejection reasons,
 * the training stages and final metrics, the evaluation table (student, teacher, baseline) — plus
 * the licence the publisher's options give. Without a run folder (a publisher used on its own)
 * core's card from the request is returned unchanged.
 */
export async function modelCardForRun(args: {
  runDir: string;
  request: PublisherV1Request;
  options: ModelCardOptions;
  modelName: string;
  ggufFiles?: string[];
}): Promise<string> {
  if (!existsSync(join(args.runDir, 'run.json'))) return args.request.modelCard;
  const data = await readRunFolder(args.runDir);
  const publisher = data.stages.find((stage) => stage.kind === 'publisher' && join(args.runDir, 'stages', stage.id, 'work') === args.request.workDir);
  const chain = trainerChain(data, publisher?.in);
  const student = chain.find((stage) => typeof stage.options?.student === 'string')?.options?.student as string | undefined;
  const last = chain[chain.length - 1];
  const finalMetrics = Object.entries((last?.result as { metrics?: Record<string, unknown> } | undefined)?.metrics ?? {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number' && /^(steps|loss|evalLoss|kd|crossEntropy|tokensPerSecond)$/.test(entry[0]),
  );
  const training: Record<string, string | number> = {};
  if (chain.length > 0) training.method = chain.map((stage) => `${stage.id} (${stage.component})`).join(' → ');
  for (const [key, value] of finalMetrics) training[`final ${key}`] = value;

  const recipeText = data.recipeFile && existsSync(data.recipeFile) ? await readFile(data.recipeFile, 'utf8') : undefined;
  const input: ModelCardInput = {
    modelName: args.modelName,
    license: args.options.license,
    licenseName: args.options.licenseName,
    licenseLink: args.options.licenseLink,
    baseModel: args.options.baseModel ?? student,
    teachers: teachersOf(data),
    recipe: { name: data.name, text: recipeText, language: data.recipeFile?.endsWith('.json') ? 'json' : 'yaml' },
    dataStages: data.stages
      .filter((stage) => ['agent', 'verifier', 'selector'].includes(stage.kind))
      .map((stage) => ({ stage: stage.id, rowsIn: stage.rowsIn, rowsOut: stage.rowsOut, rejected: Object.fromEntries(stage.rejections.map((group) => [group.count === 1 ? group.example : group.reason.replace(/#/g, 'N'), group.count])) })),
    training,
    evaluation: evaluationRows(data),
    ggufFiles: args.ggufFiles,
    reportFile: args.request.reportPath ? basename(args.request.reportPath) : undefined,
    toolVersion: data.core,
  };
  return generateModelCard(input);
}
