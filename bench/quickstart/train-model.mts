// Reproduces the quickstart's committed models with @easydistill/plugin-trainer-tfjs's SFT trainer,
// from random weights:
// - templates/quickstart/teacher/ (--model teacher): ~0.91M parameters, trained on the skills task
//   and the two synthesis formats (teacher-data.mts);
// - templates/quickstart/student/ (--model student --out templates/quickstart/student): the ~0.16M
//   student base, trained on the operations as terse commands only (student-base-data.mts).
// The teacher takes ~35 minutes on 2 CPU cores, longer than the quickstart's budget, so both are
// committed (bench/quickstart/README.md has the exact commands).
//
//   node --conditions=@easydistill/source --import tsx bench/quickstart/train-model.mts --model teacher|student [--steps N] [--batch N] [--out DIR]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetV1, RowV1, RunContextV1 } from '@easydistill/core';
import { SftTrainer } from '../../packages/plugin-trainer-tfjs/src/trainers/sft-trainer.ts';
import { sftOptionsSchema } from '../../packages/plugin-trainer-tfjs/src/trainers/training-options.ts';
import { createModelFolder, repoRoot } from './model-folder.mts';
import { studentBaseRows } from './student-base-data.mts';
import { teacherRows } from './teacher-data.mts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '240' },
    batch: { type: 'string', default: '24' },
    lr: { type: 'string', default: '0.003' },
    out: { type: 'string', default: '' },
    work: { type: 'string', default: '/tmp/easydistill-quickstart' },
    seed: { type: 'string', default: '1' },
    model: { type: 'string', default: 'teacher' },
    'eval-every': { type: 'string', default: '40' },
    from: { type: 'string', default: '' },
    'checkpoint-every': { type: 'string', default: '40' },
  },
});
const steps = Number(values.steps);
const batch = Number(values.batch);
const seed = Number(values.seed);
const work = resolve(values.work!) + '-' + values.model;
const out = resolve(values.out || join(repoRoot, 'templates/quickstart', values.model === 'student' ? 'student' : 'teacher'));
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

export const TEACHER_SHAPE = { hidden: 128, layers: 4, intermediate: 384, heads: 4, kvHeads: 2 };
export const STUDENT_SHAPE = { hidden: 64, layers: 2, intermediate: 192, heads: 4, kvHeads: 2 };
const student = values.model === 'student';
// --from continues training from a model folder (e.g. a finished run) instead of random weights.
const initial = values.from ? resolve(values.from) : join(work, 'initial');
if (!values.from) await createModelFolder(initial, student ? STUDENT_SHAPE : TEACHER_SHAPE, seed);
const rows = student ? studentBaseRows(steps * batch, seed) : teacherRows(steps * batch, seed);
writeFileSync(join(work, 'train.jsonl'), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));

const dataset: DatasetV1 = { name: 'teacher-train', path: join(work, 'train.jsonl'), async *rows() { yield* rows as RowV1[]; }, count: async () => rows.length };
const started = Date.now();
const log = (level: string) => (message: string) => console.error(`[${level}] ${message}`);
const context: RunContextV1 = {
  runName: 'train-teacher',
  runDir: work,
  workDir: work,
  seed,
  signal: new AbortController().signal,
  logger: { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') },
  progress: {
    start: (total, unit) => console.error(`training: ${total} ${unit}`),
    advance: (_done, metrics) => {
      if (metrics && (metrics.step ?? 0) % 10 === 0) console.error(JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), ...metrics }));
    },
    end: () => {},
  },
  recipeDir: work,
  getTeacher: () => Promise.reject(new Error('no teacher')),
  resolveModel: (reference) => resolve(work, reference),
  env: () => undefined,
};
const options = sftOptionsSchema.parse({
  student: initial,
  epochs: 1,
  batchSize: batch,
  learningRate: Number(values.lr),
  warmupSteps: 10,
  evalFraction: 0.01,
  evalEvery: Number(values['eval-every']),
  maxLength: 160,
  checkpointEvery: Number(values['checkpoint-every']),
  saveDtype: student ? 'float32' : 'float16',
  weightDecay: 0.01,
  seed,
});
const result = await new SftTrainer(options, context).doTrain({ train: dataset, outputDir: out, checkpointDir: join(work, 'checkpoints') });
console.error(`model written to ${out} in ${Math.round((Date.now() - started) / 1000)} s`, result.metrics);
