// Trains a kd-quality teacher (or a student base, see ensureStudentBase) from random weights with a recipe (one trainer-tfjs/sft stage) on the
// teacher mixture of teacher-data.mts, into .cache/teachers/<size>/run/stages/train/model. Skipped
// when that model exists (the cache is kept between benchmark runs).
//
//   node --conditions=@easydistill/source --import tsx bench/kd-quality/train-teacher.mts [--size teacher-0.5m] [--steps 240] [--batch 24]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheDir, initialModel, runRecipeObject, tokenizerInfo, writeJsonl } from './lib.mts';
import { teacherSkillRows } from './teacher-data.mts';
import { studentBaseRows } from '../quickstart/student-base-data.mts';

export interface TeacherPlan {
  size: string;
  steps: number;
  batch: number;
  seed?: number;
}

/** The trained teacher's model folder (trains it first when missing). */
export function ensureTeacher(plan: TeacherPlan, log: (line: string) => void = console.error) {
  return ensureModel('teachers', plan, teacherSkillRows, log);
}

/**
 * A student base: the student shape pretrained on the task's operations as terse commands only
 * (bench/quickstart/student-base-data.mts: `add 12 30` → `42`), never on an instruction of the
 * skills task, as a real student is a pretrained base model. What the arms teach it is to follow
 * the instructions.
 */
export function ensureStudentBase(plan: TeacherPlan, log: (line: string) => void = console.error) {
  return ensureModel('bases', plan, studentBaseRows, log);
}

async function ensureModel(kind: 'teachers' | 'bases', plan: TeacherPlan, makeRows: (count: number, seed: number) => unknown[], log: (line: string) => void): Promise<{ model: string; seconds: number; trained: boolean }> {
  const dir = join(cacheDir, kind, `${plan.size}-s${plan.steps}-b${plan.batch}${kind === 'teachers' ? '-terse30' : ''}-tok${(await tokenizerInfo()).tag}`);
  const model = join(dir, 'run/stages/train/model');
  if (existsSync(join(model, 'model.safetensors'))) return { model, seconds: 0, trained: false };
  const seed = plan.seed ?? 1;
  const initial = await initialModel(plan.size, seed + 100);
  const rows = makeRows(plan.steps * plan.batch, seed);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeJsonl(join(dir, 'train.jsonl'), rows);
  log(`training ${kind === 'teachers' ? 'teacher' : 'student base'} ${plan.size} (${plan.steps} steps × ${plan.batch}) in ${dir}`);
  const started = Date.now();
  await runRecipeObject(dir, {
    apiVersion: 'easydistill/v1',
    name: `kdq-${kind === 'teachers' ? 'teacher' : 'base'}-${plan.size}`,
    seed,
    plugins: ['@easydistill/plugin-trainer-tfjs'],
    datasets: { mixture: { path: './train.jsonl', format: 'alpaca' } },
    stages: [
      {
        id: 'train',
        use: 'trainer-tfjs/sft',
        in: 'mixture',
        out: 'teacher',
        with: { student: initial, epochs: 1, batchSize: plan.batch, learningRate: 0.003, warmupSteps: 10, evalFraction: 0.01, evalEvery: 100, maxLength: 160, checkpointEvery: 100, weightDecay: 0.01, seed },
      },
    ],
  });
  return { model, seconds: (Date.now() - started) / 1000, trained: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { size: { type: 'string', default: 'teacher-0.5m' }, steps: { type: 'string', default: '1600' }, batch: { type: 'string', default: '32' } } });
  const result = await ensureTeacher({ size: values.size!, steps: Number(values.steps), batch: Number(values.batch) });
  console.error(result);
}
