// Benchmark: `easydistill validate` on generated recipes of 10, 100 and 1,000 stages (target:
// under 1 s for 1,000). Runs the built CLI (packages/core/dist: `npx nx build @easydistill/core`
// first) as a fresh process each time, as a user would, and reports per size the median and best
// of: wall time of the whole command (spawn to exit), the process's own wall and CPU time, and the
// time validate itself reports for loading and checking the recipe (plugins included).
//
//   node bench/validate/run.mjs [repeats=7] [--write]   (--write updates results.md)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRecipe } from './generate-recipe.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = fileURLToPath(new URL('../../packages/core/bin/easydistill.js', import.meta.url));
const dist = fileURLToPath(new URL('../../packages/core/dist/cli.js', import.meta.url));
const measure = fileURLToPath(new URL('./measure-exit.mjs', import.meta.url));
const repeats = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 7);
const write = process.argv.includes('--write');

if (!existsSync(dist)) {
  console.error('packages/core/dist is missing: run `npx nx build @easydistill/core` first.');
  process.exit(1);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const min = (values) => Math.min(...values);
const rows = [];
for (const stages of [10, 100, 1000]) {
  const folder = join(here, 'tmp', `stages-${stages}`);
  rmSync(folder, { recursive: true, force: true });
  const recipe = generateRecipe(folder, stages);
  const lines = readFileSync(recipe, 'utf8').split('\n').length;
  const samples = { command: [], processWall: [], cpu: [], validate: [] };
  for (let index = 0; index < repeats + 1; index += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', measure, bin, 'validate', recipe, '--json'], { encoding: 'utf8' });
    const command = performance.now() - started;
    if (result.status !== 0) throw new Error(`validate failed (${result.status}): ${result.stderr}`);
    const report = JSON.parse(result.stdout);
    const measured = JSON.parse(result.stderr.split('@@measure ')[1]);
    if (index === 0) continue; // warm-up: the first run fills the OS file cache
    samples.command.push(command);
    samples.processWall.push(measured.wallMs);
    samples.cpu.push(measured.cpuMs);
    samples.validate.push(report.milliseconds);
  }
  const row = { stages, lines, ...Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, { median: median(values), best: min(values) }])) };
  rows.push(row);
  console.log(
    `${String(stages).padStart(5)} stages (${lines} lines): command ${row.command.median.toFixed(0)} ms (best ${row.command.best.toFixed(0)}), ` +
      `process CPU ${row.cpu.median.toFixed(0)} ms (best ${row.cpu.best.toFixed(0)}), validate itself ${row.validate.median.toFixed(0)} ms (best ${row.validate.best.toFixed(0)})`,
  );
}
rmSync(join(here, 'tmp'), { recursive: true, force: true });

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}; load average at the end ${loadavg().map((value) => value.toFixed(1)).join(' / ')}`;
console.log(`machine: ${machine}`);
if (write) {
  const table = [
    '| stages | recipe lines | whole command, median (best) | process CPU time, median (best) | load + check inside validate, median (best) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.stages} | ${row.lines} | ${row.command.median.toFixed(0)} ms (${row.command.best.toFixed(0)}) | ${row.cpu.median.toFixed(0)} ms (${row.cpu.best.toFixed(0)}) | ${row.validate.median.toFixed(0)} ms (${row.validate.best.toFixed(0)}) |`),
  ].join('\n');
  const results = `# easydistill validate: results\n\nMeasured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`node bench/validate/run.mjs ${repeats} --write\` (${repeats} runs per size after one warm-up).\n\nMachine: ${machine}.\n\n${table}\n`;
  writeFileSync(join(here, 'results.md'), results);
}
