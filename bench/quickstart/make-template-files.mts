// Writes the quickstart's committed inputs: the seed rows (train phrasings, gold answers), the
// evaluation items (held-out and seen phrasings, none in the seeds) and the untrained student.
//   node --conditions=@easydistill/source --import tsx bench/quickstart/make-template-files.mts
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateItems } from '@easydistill/plugin-skills';
import { createModelFolder, repoRoot } from './model-folder.mts';

export const STUDENT_SHAPE = { hidden: 64, layers: 2, intermediate: 192, heads: 4, kvHeads: 2 };
const template = join(repoRoot, 'templates/quickstart');
const jsonl = (rows: unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

mkdirSync(join(template, 'data'), { recursive: true });
const seeds = generateItems({ perSkill: 6, seed: 1, phrasings: 'train', idPrefix: 'seed' });
writeFileSync(join(template, 'data/seeds.jsonl'), jsonl(seeds.map(({ id, instruction, output, meta }) => ({ id, instruction, output, meta }))));
const evaluation = [
  ...generateItems({ perSkill: 10, seed: 2, phrasings: 'held-out', idPrefix: 'eval-held-out', exclude: new Set(seeds.map((row) => row.instruction!)) }),
  ...generateItems({ perSkill: 10, seed: 3, phrasings: 'train', idPrefix: 'eval-seen', exclude: new Set(seeds.map((row) => row.instruction!)) }),
];
writeFileSync(join(template, 'data/eval.jsonl'), jsonl(evaluation));
rmSync(join(template, 'student'), { recursive: true, force: true });
await createModelFolder(join(template, 'student'), STUDENT_SHAPE, 7);
console.error(`seeds ${seeds.length}, eval ${evaluation.length}, student written`);
