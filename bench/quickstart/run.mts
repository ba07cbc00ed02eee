// Runs the quickstart recipe over 3 seeds with the built CLI (as `npm run quickstart` does) and
// writes bench/quickstart/results/: accuracy of the teacher, the distilled student and the
// undistilled student per seed, mean and spread, the margin, and each run's wall time.
//
//   npm run build && node --import tsx bench/quickstart/run.mts [--seeds 1,2,3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' } } });
const seeds = values.seeds!.split(',').map(Number);
const template = join(root, 'templates/quickstart');
const results = join(root, 'bench/quickstart/results');
mkdirSync(results, { recursive: true });

interface SeedResult {
  seed: number;
  seconds: number;
  accuracy: Record<string, number>;
  heldOutPhrasings: Record<string, number>;
  perSkill: Record<string, Record<string, number>>;
  stages: string;
  /** Rows that reached the student: teacher answers that passed verification. */
  verified: number;
}

const runs: SeedResult[] = [];
for (const seed of seeds) {
  const recipe = join(template, `recipe.seed-${seed}.yaml`);
  // The whole run is seeded: the recipe's seed (the teacher's sampled expansions and rewrites)
  // and the three trainers' seed (initial shuffle and batch order). Each seed is a complete,
  // independent quickstart run with its own request cache.
  const parsed = parse(readFileSync(join(template, 'recipe.yaml'), 'utf8'));
  parsed.name = `quickstart-seed-${seed}`;
  parsed.seed = seed;
  for (const stage of parsed.stages) if (stage.use.startsWith('trainer-tfjs/')) stage.with.seed = seed;
  writeFileSync(recipe, stringify(parsed));
  const runDir = join('/tmp', `easydistill-quickstart-seed-${seed}`);
  rmSync(runDir, { recursive: true, force: true });
  const started = Date.now();
  let stages: string;
  try {
    stages = execFileSync('node', [join(root, 'packages/core/bin/easydistill.js'), 'run', recipe, '--run-dir', runDir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } finally {
    rmSync(recipe, { force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const summary = JSON.parse(readFileSync(join(runDir, 'stages/evaluate/eval/summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
  const models = Object.keys(summary.metrics);
  runs.push({
    seed,
    seconds,
    accuracy: Object.fromEntries(models.map((model) => [model, summary.metrics[model]!.accuracy!])),
    heldOutPhrasings: Object.fromEntries(models.map((model) => [model, summary.metrics[model]!['accuracy/held-out-phrasings']!])),
    perSkill: Object.fromEntries(models.map((model) => [model, Object.fromEntries(Object.entries(summary.metrics[model]!).filter(([key]) => key.startsWith('accuracy/')))])),
    stages,
    verified: (JSON.parse(readFileSync(join(runDir, 'stages/verify/state.json'), 'utf8')) as { rowsOut: number }).rowsOut,
  });
  console.error(`seed ${seed}: ${seconds.toFixed(0)} s`, runs.at(-1)!.accuracy);
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const sd = (values: number[]) => Math.sqrt(values.reduce((sum, value) => sum + (value - mean(values)) ** 2, 0) / Math.max(1, values.length - 1));
const pct = (value: number) => (100 * value).toFixed(1);
const models = Object.keys(runs[0]!.accuracy);
const column = (model: string, key: 'accuracy' | 'heldOutPhrasings') => runs.map((run) => run[key][model]!);
const margins = runs.map((run) => run.accuracy.distilled! - run.accuracy.undistilled!);
const spread = Math.max(sd(column('distilled', 'accuracy')), sd(column('undistilled', 'accuracy')));
const lines = [
  '# Quickstart results',
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.`,
  `Command per seed: \`easydistill run templates/quickstart/recipe.yaml\` with the recipe's \`seed: <n>\` (the teacher's sampled expansions and rewrites) and \`seed: <n>\` in the three trainer stages: each seed is a complete, independent run (wall time without the build). 140 evaluation items, half in held-out phrasings. Load average at the start: ${loadavg()[0]!.toFixed(1)}.`,
  '',
  `| accuracy (%) | ${seeds.map((seed) => `seed ${seed}`).join(' | ')} | mean | sd |`,
  `| --- | ${seeds.map(() => '---:').join(' | ')} | ---: | ---: |`,
  ...models.map((model) => `| ${model} | ${column(model, 'accuracy').map(pct).join(' | ')} | ${pct(mean(column(model, 'accuracy')))} | ${pct(sd(column(model, 'accuracy')))} |`),
  ...models.map((model) => `| ${model}, held-out phrasings | ${column(model, 'heldOutPhrasings').map(pct).join(' | ')} | ${pct(mean(column(model, 'heldOutPhrasings')))} | ${pct(sd(column(model, 'heldOutPhrasings')))} |`),
  `| verified teacher answers (training rows) | ${runs.map((run) => run.verified).join(' | ')} | ${mean(runs.map((run) => run.verified)).toFixed(0)} | |`,
  `| run wall time (s) | ${runs.map((run) => run.seconds.toFixed(0)).join(' | ')} | ${mean(runs.map((run) => run.seconds)).toFixed(0)} | |`,
  '',
  `Margin distilled − undistilled: ${margins.map(pct).join(', ')} points (mean ${pct(mean(margins))}); spread (largest sd of the two over seeds): ${pct(spread)} points.`,
  `The margin is ${mean(margins) > spread && margins.every((margin) => margin > 0) ? 'larger' : 'NOT larger'} than the spread${margins.every((margin) => margin > 0) ? ', and positive on every seed' : ''}.`,
  '',
  '## Per skill, mean over seeds (%)',
  '',
  `| skill | ${models.join(' | ')} |`,
  `| --- | ${models.map(() => '---:').join(' | ')} |`,
  ...Object.keys(runs[0]!.perSkill[models[0]!]!).map((key) => `| ${key.slice(9)} | ${models.map((model) => pct(mean(runs.map((run) => run.perSkill[model]![key]!)))).join(' | ')} |`),
  '',
];
writeFileSync(join(results, 'results.md'), `${lines.join('\n')}\n`);
writeFileSync(join(results, 'results.json'), `${JSON.stringify({ seeds, runs: runs.map(({ stages: _stages, ...run }) => run), margins, spread }, null, 2)}\n`);
console.log(lines.join('\n'));
