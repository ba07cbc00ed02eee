// The long version of test/reliability/recipe-kills.test.ts: KILLS SIGKILLs at random moments of a
// full recipe (synth/respond with the in-process HF teacher, synth/dedup, trainer-tfjs/sft on cpu
// from the tiny fixture model, skills/eval of teacher and student), each followed by a rerun; every
// finished rerun compared with an uninterrupted run byte for byte. Prints Markdown.
//
//   npx nx run-many -t build        # once: the CLI and plugins run from dist
//   npx tsx bench/reliability/recipe-kills.ts [--kills 20] [--seed 7] [--seeds 16] [--eval 6]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeKills, runRecipeKills } from '../../test/support/recipe-kills';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '20' }, seed: { type: 'string', default: '7' }, seeds: { type: 'string', default: '16' }, eval: { type: 'string', default: '6' } } });
const folder = mkdtempSync(join(tmpdir(), 'bench-recipe-kills-'));
const started = Date.now();
try {
  const report = await runRecipeKills({
    kills: Number(values.kills),
    seed: Number(values.seed),
    seedRows: Number(values.seeds),
    evalRows: Number(values.eval),
    folder,
    log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`),
  });
  console.log(
    [
      '# A full recipe under SIGKILL',
      '',
      `${values.kills} kills, seed ${values.seed}, ${values.seeds} seed rows, ${values.eval} evaluation items; node ${process.version}, ${cpus().length} cores; ${((Date.now() - started) / 60000).toFixed(1)} min in all.`,
      '',
      ...describeKills(report),
    ].join('\n'),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
