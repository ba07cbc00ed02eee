import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { DistillError } from '../errors/distill-error';
import type { TeacherUsage } from '../cache/usage-counter';
import { readStageState, stageFiles } from '../runner/stage-state';

/** Rejected rows of one stage sharing a reason (digits folded, so `length 31 > 20` and `length 45 > 20` group). */
export interface RejectionGroup {
  reason: string;
  count: number;
  /** The first reason as written. */
  example: string;
}

/** One logged training step or held-out evaluation of a trainer stage. */
export type TrainingPoint = Record<string, number>;

/** An evaluator stage's result (`result.json`). */
export interface EvaluationReport {
  stage: string;
  benchmark: string;
  metrics: Record<string, Record<string, number>>;
  categories?: Record<string, Record<string, number>>;
}

/** Everything the run report shows about one stage. */
export interface StageReport {
  id: string;
  index: number;
  kind: string;
  component: string;
  plugin?: string;
  in?: string;
  out?: string;
  status: 'done' | 'running' | 'not started';
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  rowsFailed: number;
  seconds: number;
  usage?: TeacherUsage;
  /** US dollars at the prices the recipe gives its teacher (`options.prices`), when it gives them. */
  costUsd?: number;
  teachers: string[];
  rejections: RejectionGroup[];
  /** Trainer `event: "step"` records (or core's progress records for trainers that log only through progress). */
  steps: TrainingPoint[];
  /** Trainer `event: "eval"` records. */
  evals: TrainingPoint[];
  result?: unknown;
  /** The stage's options as the recipe wrote them (`with`); recipes hold env var names, never secrets. */
  options?: Record<string, unknown>;
  seed?: number;
  fingerprint?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** What `report.html` is made from: the run folder as the runner left it. */
export interface RunReportData {
  name: string;
  runDir: string;
  recipeFile?: string;
  recipeHash?: string;
  recipeText?: string;
  core?: string;
  plugins: string[];
  seed?: number;
  startedAt?: string;
  /** The recipe's named components: `use` and, when given, `options.model` (e.g. the teacher's model id). */
  components: Record<string, { use?: string; model?: string }>;
  /** The recipe's datasets: name → path (as written). */
  datasets: Record<string, string>;
  stages: StageReport[];
  evaluations: EvaluationReport[];
}

const MAX_REJECTION_GROUPS = 12;

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function* jsonLines(path: string): AsyncGenerator<Record<string, unknown>> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) yield value as Record<string, unknown>;
    } catch {
      // A torn last line of an interrupted stage: the committed lines before it are still shown.
    }
  }
}

async function readRejections(path: string): Promise<RejectionGroup[]> {
  const groups = new Map<string, RejectionGroup>();
  for await (const entry of jsonLines(path)) {
    const example = typeof entry.reason === 'string' && entry.reason !== '' ? entry.reason : 'no reason given';
    const reason = example.length > 160 ? `${example.slice(0, 157)}...` : example;
    const key = reason.replace(/\d+(\.\d+)?/g, '#');
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { reason: key, count: 1, example: reason });
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  if (sorted.length <= MAX_REJECTION_GROUPS) return sorted;
  const rest = sorted.slice(MAX_REJECTION_GROUPS - 1);
  return [...sorted.slice(0, MAX_REJECTION_GROUPS - 1), { reason: `${rest.length} other reasons`, count: rest.reduce((sum, group) => sum + group.count, 0), example: rest[0]!.example }];
}

function numericFields(entry: Record<string, unknown>): TrainingPoint {
  const point: TrainingPoint = {};
  for (const [key, value] of Object.entries(entry)) if (typeof value === 'number' && Number.isFinite(value)) point[key] = value;
  return point;
}

async function readTraining(path: string): Promise<{ steps: TrainingPoint[]; evals: TrainingPoint[] }> {
  const steps: TrainingPoint[] = [];
  const progress: TrainingPoint[] = [];
  const evals: TrainingPoint[] = [];
  for await (const entry of jsonLines(path)) {
    if (entry.event === 'step') steps.push(numericFields(entry));
    else if (entry.event === 'eval') evals.push(numericFields(entry));
    else if (typeof entry.done === 'number' && entry.stage === undefined) {
      const point = numericFields(entry);
      point.step = entry.done;
      delete point.done;
      progress.push(point);
    }
  }
  // A resumed trainer logs a step again: keep the last record of each step.
  const byStep = (points: TrainingPoint[]) => [...new Map(points.map((point) => [point.step, point])).values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  return { steps: byStep(steps.length > 0 ? steps : progress), evals: evals };
}

/** Prices per teacher reference from the recipe (`components.<ref>.options.prices`). */
function teacherPrices(recipe: Record<string, unknown> | undefined): Map<string, { inputPerMillion: number; outputPerMillion: number }> {
  const prices = new Map<string, { inputPerMillion: number; outputPerMillion: number }>();
  const components = recipe?.components;
  if (!components || typeof components !== 'object') return prices;
  for (const [reference, component] of Object.entries(components as Record<string, { options?: { prices?: unknown } }>)) {
    const price = component?.options?.prices as { inputPerMillion?: unknown; outputPerMillion?: unknown } | undefined;
    if (typeof price?.inputPerMillion === 'number' && typeof price.outputPerMillion === 'number') {
      prices.set(reference, { inputPerMillion: price.inputPerMillion, outputPerMillion: price.outputPerMillion });
    }
  }
  return prices;
}

function recipeComponents(recipe: Record<string, unknown> | undefined): RunReportData['components'] {
  const components: RunReportData['components'] = {};
  if (!recipe?.components || typeof recipe.components !== 'object') return components;
  for (const [reference, component] of Object.entries(recipe.components as Record<string, { use?: unknown; options?: { model?: unknown } }>)) {
    components[reference] = {
      use: typeof component?.use === 'string' ? component.use : undefined,
      model: typeof component?.options?.model === 'string' ? component.options.model : undefined,
    };
  }
  return components;
}

function recipeDatasets(recipe: Record<string, unknown> | undefined): Record<string, string> {
  const datasets: Record<string, string> = {};
  if (!recipe?.datasets || typeof recipe.datasets !== 'object') return datasets;
  for (const [name, dataset] of Object.entries(recipe.datasets as Record<string, { path?: unknown }>)) {
    if (typeof dataset?.path === 'string') datasets[name] = dataset.path;
  }
  return datasets;
}

/**
 * Reads a run folder (`run.json`, the recipe it names, and each `stages/<id>/` folder:
 * `provenance.json`, `state.json`, `rejected.jsonl`, `metrics.jsonl`, `result.json`) into the
 * data of the run report. Stages are ordered as in the recipe. Missing files leave their parts
 * empty, so a failed or running run still gets a report.
 */
export async function readRunFolder(runDir: string): Promise<RunReportData> {
  const run = readJson(join(runDir, 'run.json'));
  if (!run) {
    throw new DistillError({ code: 'USAGE', message: `${join(runDir, 'run.json')} not found or not JSON: is ${runDir} a run folder (runs/<recipe name>)?` });
  }
  const recipeFile = typeof run.recipe === 'string' ? run.recipe : undefined;
  let recipeText: string | undefined;
  let recipe: Record<string, unknown> | undefined;
  if (recipeFile && existsSync(recipeFile)) {
    recipeText = readFileSync(recipeFile, 'utf8');
    try {
      recipe = loadYaml(recipeText, { schema: CORE_SCHEMA, maxAliases: 1000 }) as Record<string, unknown>;
    } catch {
      recipe = undefined;
    }
  }
  const prices = teacherPrices(recipe);
  const stagesDir = join(runDir, 'stages');
  const ids = existsSync(stagesDir) ? readdirSync(stagesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
  const recipeOrder = Array.isArray(recipe?.stages) ? (recipe.stages as Array<{ id?: unknown }>).map((stage) => String(stage?.id)) : [];

  const stages: StageReport[] = [];
  const evaluations: EvaluationReport[] = [];
  for (const id of ids) {
    const files = stageFiles(join(stagesDir, id));
    const provenance = readJson(files.provenance) as
      | {
          stage?: { index?: number; kind?: string; use?: string; in?: string; out?: string };
          plugin?: string;
          options?: Record<string, unknown>;
          seeds?: { stage?: number };
          teachers?: Array<{ reference: string; component?: string }>;
          fingerprint?: string;
        }
      | undefined;
    const state = readStageState(files.state);
    const result = readJson(files.result) ?? (state?.result as Record<string, unknown> | undefined);
    const { steps, evals } = await readTraining(files.metrics);
    const usage = state?.usage;
    const teachers = provenance?.teachers ?? [];
    // A cost core summed from the calls' usage wins; otherwise the recipe's price table of the stage's one teacher.
    let costUsd = typeof (usage as { costUsd?: unknown } | undefined)?.costUsd === 'number' ? (usage as unknown as { costUsd: number }).costUsd : undefined;
    if (costUsd === undefined && usage && teachers.length === 1 && prices.has(teachers[0]!.reference)) {
      const price = prices.get(teachers[0]!.reference)!;
      costUsd = (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1_000_000;
    }
    const order = recipeOrder.indexOf(id);
    stages.push({
      id,
      index: provenance?.stage?.index ?? (order >= 0 ? order : Number.MAX_SAFE_INTEGER),
      kind: provenance?.stage?.kind ?? 'unknown',
      component: provenance?.stage?.use ?? '',
      plugin: provenance?.plugin,
      in: provenance?.stage?.in,
      out: provenance?.stage?.out,
      status: state ? state.status : 'not started',
      rowsIn: state?.rowsIn ?? 0,
      rowsOut: state?.rowsOut ?? 0,
      rowsRejected: state?.rowsRejected ?? 0,
      rowsFailed: state?.rowsFailed ?? 0,
      seconds: state?.seconds ?? 0,
      usage,
      costUsd,
      teachers: teachers.map((teacher) => (teacher.component ? `${teacher.reference} (${teacher.component})` : teacher.reference)),
      rejections: await readRejections(files.rejected),
      steps,
      evals,
      result,
      options: provenance?.options && typeof provenance.options === 'object' ? provenance.options : undefined,
      seed: provenance?.seeds?.stage,
      fingerprint: provenance?.fingerprint,
      startedAt: state?.startedAt,
      finishedAt: state?.finishedAt,
    });
    if (result && typeof result.benchmark === 'string' && result.metrics && typeof result.metrics === 'object') {
      evaluations.push({
        stage: id,
        benchmark: result.benchmark,
        metrics: result.metrics as EvaluationReport['metrics'],
        categories: result.categories as EvaluationReport['categories'],
      });
    }
  }
  stages.sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
  const stageIndex = new Map(stages.map((stage, index) => [stage.id, index]));
  evaluations.sort((a, b) => stageIndex.get(a.stage)! - stageIndex.get(b.stage)!);
  return {
    name: typeof run.name === 'string' ? run.name : 'run',
    runDir,
    recipeFile,
    recipeHash: typeof run.recipeHash === 'string' ? run.recipeHash : undefined,
    recipeText,
    core: typeof run.core === 'string' ? run.core : undefined,
    plugins: Array.isArray(run.plugins) ? run.plugins.map(String) : [],
    seed: typeof run.seed === 'number' ? run.seed : undefined,
    startedAt: typeof run.startedAt === 'string' ? run.startedAt : undefined,
    components: recipeComponents(recipe),
    datasets: recipeDatasets(recipe),
    stages,
    evaluations,
  };
}
