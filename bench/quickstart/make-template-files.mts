// Writes the quickstart's committed inputs: the seed rows (train phrasings, gold answers), the
// evaluation items (held-out and seen phrasings, none in the seeds). The student base and the teacher
// are written by train-model.mts.
//   node --conditions=@easydistill/source --import tsx bench/quickstart/make-template-files.mts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateItems } from '@easydistill/plugin-skills';
import { repoRoot } from './model-folder.mts';

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
console.error(`seeds ${seeds.length}, eval ${evaluation.length}`);
