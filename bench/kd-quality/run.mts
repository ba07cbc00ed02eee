// bench/kd-quality: does distillation with this toolkit help a small student, and which way helps
// most? Every step is a recipe run by core's loadRecipe/runRecipe (see lib.mts):
//
// 1. teacher(s): trained from random weights on skills items in every phrasing, and student bases
//    pretrained on the operations as terse commands (train-teacher.mts), cached in .cache/;
// 2. per (teacher, data size, top-k, seed) one recipe: seed rows (drawn with the seed, train
//    phrasings only) → synth/expand → synth/rewrite (instructions written by rule,
//    rule-writer.plugin.mjs) → synth/dedup → synth/respond (the teacher's answers with its top-k
//    log-probabilities) → skills/verify; then, per student size, the arms (equal optimizer steps):
//      seed-only   trainer-tfjs/sft on the seed rows
//      black-box   trainer-tfjs/sft on the verified teacher data
//      wb-<loss>   trainer-tfjs/kd (alpha 0.5, <loss>) on the same data, from the student base
//      staged      black-box SFT for half the steps, then forward-KL KD for the other half
//    and skills/eval of the teacher and every student on 140 fixed items (half in held-out
//    phrasings; none among any seed set);
// 3. results/: results.md (tables that answer the issue's claims), results.json, PNG plots.
//
//   node --conditions=@easydistill/source --import tsx bench/kd-quality/run.mts [--smoke | --full] [--students 0.06m,0.1m,0.16m] [--seeds 1,2,3]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateItems } from '@easydistill/plugin-skills';
import { ensureStudentBase, ensureTeacher, type TeacherPlan } from './train-teacher.mts';
import { cacheDir, here, modelFolderName, modelFolderParameters, parameterCount, runRecipeObject, shapeOf, tokenizerInfo, writeJsonl } from './lib.mts';
import { writeReport, type CellResult, type Config } from './report.mts';
import { tailMass, type TailMass } from './tail-mass.mts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    topk: { type: 'boolean', default: false },
    data: { type: 'boolean', default: false },
    'top-k': { type: 'string' },
    'data-sizes': { type: 'string' },
    students: { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'teacher-model': { type: 'string' },
  },
});

// Full-vocabulary KD is top-k with k = the vocabulary: the teacher reports its whole distribution.
const vocab = (await tokenizerInfo()).vocab;

function config(): Config {
  if (values.topk) {
    // Top-k against the full distribution, side by side: forward-KL KD from the same teacher data
    // at k = 1, 10, 20, 50 and the whole vocabulary, with black-box beside top-10.
    return {
      name: 'topk',
      teachers: [{ size: 'teacher-0.5m', steps: 1600, batch: 32 }],
      students: ['0.06m', '0.1m', '0.16m'],
      arms: ['black-box', 'wb-forward-kl'],
      seeds: [1, 2, 3],
      dataSizes: [0],
      topK: [1, 10, 20, 50, vocab],
      seedsPerSkill: 8,
      steps: 120,
      baseSteps: 1000,
      baseBatch: 32,
      batch: 16,
      evalPerSkill: 10,
    };
  }
  if (values.data) {
    // Data size with training that grows with the data (a fixed number of epochs instead of fixed
    // steps): does more teacher data keep helping, and where does it flatten on this task?
    return {
      name: 'data',
      teachers: [{ size: 'teacher-0.5m', steps: 1600, batch: 32 }],
      students: ['0.06m', '0.1m', '0.16m'],
      arms: ['seed-only', 'black-box', 'wb-forward-kl'],
      seeds: [1, 2, 3],
      dataSizes: [0, 1000, 4000, 16000],
      topK: [10],
      seedsPerSkill: 8,
      steps: 0,
      epochs: 3,
      baseSteps: 1000,
      baseBatch: 32,
      batch: 16,
      evalPerSkill: 10,
    };
  }
  if (values.smoke) {
    return {
      name: 'smoke',
      teachers: [{ size: 'teacher-0.5m', steps: 1600, batch: 32 }],
      students: ['0.06m'],
      arms: ['seed-only', 'black-box', 'wb-forward-kl', 'staged'],
      seeds: [1],
      dataSizes: [0],
      topK: [10],
      seedsPerSkill: 3,
      steps: 12,
      baseSteps: 1000,
    baseBatch: 32,
      batch: 16,
      evalPerSkill: 3,
    };
  }
  if (values.full) {
    return {
      name: 'full',
      teachers: [{ size: 'teacher-0.5m', steps: 1600, batch: 32 }, { size: 'teacher-0.3m', steps: 1600, batch: 32 }],
      students: ['0.06m', '0.1m', '0.16m'],
      arms: ['seed-only', 'black-box', 'wb-forward-kl', 'wb-reverse-kl', 'wb-jsd', 'staged'],
      seeds: [1, 2, 3],
      dataSizes: [0, 1000, 4000, 16000],
      topK: [1, 10, 20, 50, vocab],
      seedsPerSkill: 8,
      steps: 120,
      baseSteps: 1000,
    baseBatch: 32,
      batch: 16,
      evalPerSkill: 10,
    };
  }
  return {
    name: 'default',
    teachers: [{ size: 'teacher-0.5m', steps: 1600, batch: 32 }],
    students: ['0.06m', '0.1m', '0.16m'],
    arms: ['seed-only', 'black-box', 'wb-forward-kl', 'staged'],
    seeds: [1, 2, 3],
    dataSizes: [0],
    topK: [10],
    seedsPerSkill: 8,
    steps: 120,
    baseSteps: 1000,
    baseBatch: 32,
    batch: 16,
    evalPerSkill: 10,
  };
}

process.on('uncaughtException', (error) => {
  // One line per error (TensorFlow.js's wasm module would otherwise print its whole source).
  console.error(`bench/kd-quality failed: ${error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
});
const cfg = config();
if (values.students) cfg.students = values.students.split(',');
if (values.seeds) cfg.seeds = values.seeds.split(',').map(Number);
if (values.steps) cfg.steps = Number(values.steps);
// --top-k 10,50,full: the top-k values of the run (full = the whole vocabulary).
if (values['top-k']) cfg.topK = values['top-k'].split(',').map((k) => (k === 'full' ? vocab : Number(k)));
// --data-sizes 0,1000: the data-size targets (0 = the rows the seed set gives).
if (values['data-sizes']) cfg.dataSizes = values['data-sizes'].split(',').map(Number);
if (cfg.dataSizes.some((size) => !Number.isInteger(size) || size < 0)) throw new Error(`bench/kd-quality: --data-sizes takes non-negative integers, got ${values['data-sizes']}`);
if (cfg.topK.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`bench/kd-quality: --top-k takes positive integers or "full", got ${values['top-k']}`);
for (const size of cfg.students) shapeOf(size);
// --teacher-model DIR: that model folder replaces the configuration's first teacher, under its own
// name (the folder's) and with its own parameter count (its model.safetensors), so that the
// report never labels it with the plan's teacher; it is not trained here.
if (values['teacher-model']) {
  const model = resolve(values['teacher-model']); // recipes resolve relative paths against their own folder
  if (!existsSync(join(model, 'model.safetensors'))) throw new Error(`bench/kd-quality: --teacher-model ${model} has no model.safetensors`);
  cfg.teachers[0] = { size: modelFolderName(model), steps: 0, batch: 0, model };
}
const outDir = values.out ?? join(here, cfg.name === 'smoke' ? '.cache/results-smoke' : cfg.name === 'topk' ? 'results-topk' : cfg.name === 'data' ? 'results-data' : 'results');
// One work folder per configuration and step count (a stage re-run with other settings must not reuse a finished one).
// (`-dc`: runs with a fixed, decontaminated evaluation set; earlier run folders are not reused.)
const workRoot = join(cacheDir, 'runs', `${cfg.epochs ? `${cfg.name}-e${cfg.epochs}` : `${cfg.name}-s${cfg.steps}`}-dc`);
if (values.fresh) rmSync(workRoot, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const log = (line: string) => console.error(`[kd-quality ${new Date().toISOString().slice(11, 19)}] ${line}`);
const started = Date.now();
const loads: number[] = [];
const sampler = setInterval(() => loads.push(loadavg()[0]!), 15_000);
sampler.unref();

/**
 * The evaluation items, the same for every cell of a configuration: 10 per skill in seed
 * phrasings, 10 in held-out phrasings. No training row of any arm holds one of them: seed rows are
 * drawn excluding them, and the synthesised rows pass `synth/decontaminate` against them.
 */
const EVAL_ITEMS = [
  ...generateItems({ perSkill: cfg.evalPerSkill, seed: 7001, phrasings: 'train', idPrefix: 'eval-seen' }),
  ...generateItems({ perSkill: cfg.evalPerSkill, seed: 7002, phrasings: 'held-out', idPrefix: 'eval-held-out' }),
];
const evalInstructions = new Set(EVAL_ITEMS.map((row) => row.instruction as string));

/** Seed rows of one seed (never an evaluation item); for a data size > 0, as many seeds as the expansion needs to reach it (3 new items each). */
function seedRows(seed: number, dataSize: number) {
  const perSkill = dataSize > 0 ? Math.ceil(dataSize / 3 / 7) : cfg.seedsPerSkill;
  return generateItems({ perSkill, seed: 100 + seed, phrasings: 'train', idPrefix: `seed${seed}`, exclude: evalInstructions });
}

const results: CellResult[] = [];
/** Logits stores written with the whole vocabulary (k ≥ vocab), for the teacher's tail mass. */
const fullStores: string[] = [];
// Student bases: one per size (seed 1), pretrained on the operations as terse commands (cached).
const bases: Record<string, string> = {};
const baseTimes: Record<string, { seconds: number; trained: boolean }> = {};
for (const size of cfg.students) {
  const base = await ensureStudentBase({ size, steps: cfg.baseSteps, batch: cfg.baseBatch }, log);
  bases[size] = base.model;
  baseTimes[size] = { seconds: base.seconds, trained: base.trained };
  log(`student base ${size}: ${base.trained ? `trained in ${base.seconds.toFixed(0)} s` : 'cached'}`);
}
const teacherTimes: Record<string, { seconds: number; trained: boolean; parameters: number }> = {};
for (const teacherPlan of cfg.teachers) {
  // A given model folder (--teacher-model) is used as it is; the plan's teachers are trained or taken from the cache.
  const teacher = teacherPlan.model ? { model: teacherPlan.model, seconds: 0, trained: false } : await ensureTeacher(teacherPlan as TeacherPlan, log);
  teacherTimes[teacherPlan.size] = { seconds: teacher.seconds, trained: teacher.trained, parameters: teacherPlan.model ? await modelFolderParameters(teacherPlan.model) : parameterCount(shapeOf(teacherPlan.size), (await tokenizerInfo()).vocab) };
  // The teacher's name as it goes into folder and cache names (a --teacher-model name may hold any character).
  const teacherTag = teacherPlan.size.replace(/[^A-Za-z0-9._-]/g, '_');
  log(`teacher ${teacherPlan.size}: ${teacher.model}${teacher.trained ? ` (trained in ${teacher.seconds.toFixed(0)} s)` : teacherPlan.model ? ' (given by --teacher-model)' : ' (cached)'}`);
  // Variants run against this teacher: the main grid at the first data size and top-k, then
  // (--full) the other data sizes and top-k values with the main arms only.
  const variants: Array<{ dataSize: number; topK: number; arms: string[] }> = [{ dataSize: cfg.dataSizes[0]!, topK: cfg.topK.includes(10) ? 10 : cfg.topK[0]!, arms: cfg.arms }];
  if (teacherPlan === cfg.teachers[0]) {
    for (const dataSize of cfg.dataSizes.slice(1)) variants.push({ dataSize, topK: 10, arms: cfg.arms.filter((arm) => ['seed-only', 'black-box', 'wb-forward-kl', 'staged'].includes(arm)) });
    for (const topK of cfg.topK.filter((k) => k !== 10)) variants.push({ dataSize: cfg.dataSizes[0]!, topK, arms: ['wb-forward-kl'] });
  } else {
    variants[0]!.arms = ['black-box', 'wb-forward-kl', 'staged'];
  }
  for (const variant of variants) {
    for (const seed of cfg.seeds) {
      const cellStarted = Date.now();
      const name = `${teacherTag}-d${variant.dataSize || 'seeds'}-k${variant.topK}-seed${seed}`;
      const dir = join(workRoot, name);
      mkdirSync(join(dir, 'data'), { recursive: true });
      const seeds = seedRows(seed, variant.dataSize);
      writeJsonl(join(dir, 'data/seeds.jsonl'), seeds);
      writeJsonl(join(dir, 'data/eval.jsonl'), EVAL_ITEMS);
      const stages: Array<Record<string, unknown>> = [
        { id: 'expand', use: 'synth/expand', in: 'seeds', out: 'expanded', concurrency: 16, with: { teacher: 'writer', n: 3, rounds: 1, inContext: 1, prompt: join(here, 'prompts/expand.md'), temperature: 0, maxTokens: 200, roundRetries: 0 } },
        { id: 'rewrite', use: 'synth/rewrite', in: 'expanded', out: 'rewritten', concurrency: 16, with: { teacher: 'writer', prompt: join(here, 'prompts/rewrite.md'), temperature: 0, maxTokens: 72 } },
        { id: 'dedup', use: 'synth/dedup', in: 'rewritten', out: 'unique' },
        // Decontamination: no synthesised instruction may contain an evaluation item (whole-item match).
        { id: 'decontaminate', use: 'synth/decontaminate', in: 'unique', out: 'clean', with: { benchmarks: [], extraPaths: ['./data/eval.jsonl'], minWords: 1, fields: ['instruction'] } },
        { id: 'respond', use: 'synth/respond', in: 'clean', out: 'answered', concurrency: 16, with: { teacher: 'teacher', topLogprobs: variant.topK, temperature: 0, maxTokens: 24 } },
        { id: 'verify', use: 'skills/verify', in: 'answered', out: 'verified' },
      ];
      const models: Record<string, string> = { teacher: 'teacher' };
      const columns = new Map<string, { size: string; arm: string }>([['teacher', { size: 'teacher', arm: 'teacher' }]]);
      // Fixed steps (every arm the same optimizer steps), or with cfg.epochs fixed epochs (steps grow with the data).
      const common = { batchSize: cfg.batch, ...(cfg.epochs ? { epochs: cfg.epochs } : { epochs: 1000, maxSteps: cfg.steps }), learningRate: 0.003, warmupSteps: 5, evalFraction: 0, maxLength: 128, checkpointEvery: 1000, seed };
      if (cfg.epochs && variant.arms.includes('staged')) throw new Error('bench/kd-quality: the staged arm needs fixed steps (not cfg.epochs)');
      const half = Math.max(1, Math.round(cfg.steps / 2));
      for (const size of cfg.students) {
        const student = bases[size]!;
        for (const arm of variant.arms) {
          const id = `${size}-${arm}`.replace(/\./g, '_');
          if (arm === 'seed-only') stages.push({ id, use: 'trainer-tfjs/sft', in: 'seeds', out: id, with: { ...common, student } });
          else if (arm === 'black-box') stages.push({ id, use: 'trainer-tfjs/sft', in: 'verified', out: id, with: { ...common, student } });
          else if (arm.startsWith('wb-')) stages.push({ id, use: 'trainer-tfjs/kd', in: 'verified', out: id, with: { ...common, student, loss: arm.slice(3), alpha: 0.5 } });
          else if (arm === 'staged') {
            stages.push({ id: `${id}-sft`, use: 'trainer-tfjs/sft', in: 'verified', out: `${id}-sft`, with: { ...common, maxSteps: half, student } });
            stages.push({ id, use: 'trainer-tfjs/kd', in: 'verified', out: id, with: { ...common, maxSteps: cfg.steps - half, learningRate: 0.0015, warmupSteps: 2, from: `${id}-sft`, loss: 'forward-kl', alpha: 0.5 } });
          } else throw new Error(`bench/kd-quality: unknown arm "${arm}"`);
          const column = `${size}--${arm}`.replace(/[^A-Za-z0-9._-]/g, '_');
          models[column] = id;
          columns.set(column, { size, arm });
        }
      }
      stages.push({ id: 'evaluate', use: 'skills/eval', in: 'eval-items', out: 'comparison', with: { models, maxTokens: 24 } });
      log(`${name}: ${stages.length} stages (${seeds.length} seed rows, students ${cfg.students.join(', ')})`);
      const summary = await runRecipeObject(dir, {
        apiVersion: 'easydistill/v1',
        name: `kdq-${name}`,
        seed,
        // The request cache is keyed by the teacher's weights, so a retrained teacher is asked again.
        cache: join(cacheDir, 'request-cache', `${teacherTag}-${createHash('sha256').update(readFileSync(join(teacher.model, 'model.safetensors'))).digest('hex').slice(0, 12)}`),
        plugins: ['./served-teacher.plugin.mjs', './rule-writer.plugin.mjs', '@easydistill/plugin-teacher-local', '@easydistill/plugin-teacher-openai', '@easydistill/plugin-synth', '@easydistill/plugin-skills', '@easydistill/plugin-trainer-tfjs'].map((plugin) => (plugin.startsWith('.') ? join(here, plugin) : plugin)),
        components: { teacher: { use: 'kdq/served', options: { model: teacher.model, maxBatchSize: 16, concurrency: 16, maxTopLogprobs: Math.max(20, variant.topK) } }, writer: { use: 'kdq-writer/rules', options: {} } },
        datasets: { seeds: { path: './data/seeds.jsonl', format: 'rows' }, 'eval-items': { path: './data/eval.jsonl', format: 'rows' } },
        stages,
      });
      if (variant.topK >= vocab && teacherPlan === cfg.teachers[0]) fullStores.push(join(dir, 'run/stages/respond/logits.bin'));
      // Guard: no evaluation item in any arm's training data (seed rows or verified teacher rows).
      const trained = new Set([...seeds, ...readFileSync(join(dir, 'run/stages/verify/output.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { instruction: string })].map((row) => row.instruction as string));
      const leaked = [...evalInstructions].filter((instruction) => trained.has(instruction));
      if (leaked.length > 0) throw new Error(`bench/kd-quality: ${leaked.length} evaluation items are in the training data of ${name} (e.g. ${JSON.stringify(leaked[0])})`);
      const evaluation = JSON.parse(readFileSync(join(dir, 'run/stages/evaluate/eval/summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
      const funnel = Object.fromEntries(summary.stages.filter((stage) => ['expand', 'rewrite', 'dedup', 'decontaminate', 'respond', 'verify'].includes(stage.id)).map((stage) => [stage.id, { in: stage.rowsIn, out: stage.rowsOut, rejected: stage.rowsRejected }]));
      const seconds = (Date.now() - cellStarted) / 1000;
      for (const [model, metrics] of Object.entries(evaluation.metrics)) {
        const { size, arm } = columns.get(model)!;
        results.push({ teacher: teacherPlan.size, dataSize: variant.dataSize, dataRows: funnel.verify?.out ?? 0, seedRows: seeds.length, topK: variant.topK, seed, size, arm, metrics });
      }
      log(`${name}: done in ${seconds.toFixed(0)} s; funnel ${JSON.stringify(funnel)}; accuracy ${Object.entries(evaluation.metrics).map(([model, metrics]) => `${model} ${(100 * metrics.accuracy!).toFixed(1)}`).join(', ')}`);
      writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ config: cfg, teacherTimes, partial: true, results }, null, 2)}\n`);
    }
  }
}

const wallSeconds = (Date.now() - started) / 1000;
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  backend: process.env.EASYDISTILL_BACKEND ?? 'default (wasm here)',
  loadAverage: { mean: loads.length ? loads.reduce((sum, value) => sum + value, 0) / loads.length : loadavg()[0]!, max: loads.length ? Math.max(...loads) : loadavg()[0]!, samples: loads.length },
  date: new Date().toISOString(),
};
const tokenizer = await tokenizerInfo();
const studentParameters = Object.fromEntries(cfg.students.map((size) => [size, parameterCount(shapeOf(size), tokenizer.vocab)]));
const teacherTail: TailMass | undefined = fullStores.length ? tailMass(fullStores) : undefined;
const command = process.argv.slice(2).join(' ');
// `command` lets report.mts re-render this folder from results.json alone.
const report = { config: cfg, command, machine, wallSeconds, teacherTimes, baseTimes, studentParameters, tokenizer, ...(teacherTail ? { teacherTail } : {}), results };
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
writeReport(outDir, report);
log(`done in ${(wallSeconds / 60).toFixed(1)} min; results in ${outDir}`);
if (!existsSync(join(outDir, 'results.md'))) process.exitCode = 1;
