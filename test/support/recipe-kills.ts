import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCli, type CliResult } from './core-cli';
import { mulberry32 } from './seeded-random';

/**
 * SIGKILL at random moments of a full recipe: synthesis (synth/respond with the in-process HF
 * teacher, synth/dedup), training (trainer-tfjs/sft on cpu from the tiny fixture model, with
 * checkpoints) and evaluation (skills/eval comparing the teacher with the trained student). The
 * built CLI (packages/core/bin; plugins from their dist) runs it in a child process.
 *
 * Kills are chained like a user's reruns: a run is killed after a random delay drawn over the
 * uninterrupted run's lifetime, then rerun in the same folder (itself perhaps killed again); when a
 * rerun finishes, its final datasets and weights are compared with the uninterrupted run's, byte
 * for byte, and the folder starts over. Between kills and at the end, no file may be torn.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
export const builtCli = join(root, 'packages/core/bin/easydistill.js');
const model = join(root, 'packages/plugin-trainer-tfjs/src/__fixtures__/tiny-qwen2');

export interface KillOptions {
  kills: number;
  seed: number;
  /** Seed rows for synthesis (from templates/quickstart/data/seeds.jsonl). */
  seedRows: number;
  /** Held-out items for the evaluation. */
  evalRows: number;
  /** Working folder (emptied first). */
  folder: string;
  log?: (line: string) => void;
}

export interface KillReport {
  lifetimeMs: number;
  kills: number;
  /** Kills by the stage running when the kill landed. */
  killedIn: Record<string, number>;
  /** Finished reruns compared with the reference. */
  episodes: number;
  rowsLost: number;
  rowsDuplicated: number;
  /** Files differing from the reference (datasets, weights, evaluation). */
  filesDiffering: string[];
  /** Torn JSON/JSONL files found after a kill or at the end of a finished rerun. */
  tornFiles: string[];
  /** Temporary files of killed atomic writes still there when a rerun has finished. */
  leftovers: string[];
  /** Bytes of model.safetensors that differ from the reference, summed over episodes. */
  weightBytesDiffering: number;
  referenceRows: Record<string, number>;
}

function writeRecipe(folder: string, options: KillOptions): void {
  mkdirSync(folder, { recursive: true });
  const lines = (path: string, count: number) => readFileSync(join(root, path), 'utf8').split('\n').filter(Boolean).slice(0, count).join('\n') + '\n';
  writeFileSync(join(folder, 'seeds.jsonl'), lines('templates/quickstart/data/seeds.jsonl', options.seedRows));
  writeFileSync(join(folder, 'eval.jsonl'), lines('templates/quickstart/data/eval.jsonl', options.evalRows));
  writeFileSync(
    join(folder, 'recipe.yaml'),
    `apiVersion: easydistill/v1
name: kills
seed: 7
plugins: ["@easydistill/plugin-teacher-local", "@easydistill/plugin-synth", "@easydistill/plugin-skills", "@easydistill/plugin-trainer-tfjs"]
components:
  teacher: { use: teacher-local/hf, options: { model: ${JSON.stringify(model)}, backend: cpu } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
  eval-items: { path: ./eval.jsonl, format: rows }
stages:
  - { id: respond, use: synth/respond, in: seeds, out: answered, concurrency: 4, with: { teacher: teacher, temperature: 0, maxTokens: 6 } }
  - { id: dedup, use: synth/dedup, in: answered, out: unique }
  - { id: sft, use: trainer-tfjs/sft, in: unique, out: student, with: { student: ${JSON.stringify(model)}, backend: cpu, seed: 5, epochs: 2, batchSize: 2, learningRate: 0.003, warmupSteps: 1, evalFraction: 0, maxLength: 48, checkpointEvery: 1 } }
  - { id: evaluate, use: skills/eval, in: eval-items, out: comparison, with: { models: { teacher: teacher, student: student }, maxTokens: 6, concurrency: 4 } }
exports:
  final: { from: unique, path: ./final.jsonl, format: alpaca }
`,
  );
}

/** The files compared with the reference: every stage's rows, the export, the trained weights and the evaluation's output. */
function finalFiles(folder: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = { 'final.jsonl': readFileSync(join(folder, 'final.jsonl')) };
  const stages = join(folder, 'runs', 'kills', 'stages');
  for (const stage of ['respond', 'dedup']) {
    for (const name of ['output.jsonl', 'rejected.jsonl']) {
      const path = join(stages, stage, name);
      if (existsSync(path)) files[`${stage}/${name}`] = readFileSync(path);
    }
  }
  for (const name of ['eval/items.jsonl', 'eval/summary.json', 'result.json']) files[`evaluate/${name}`] = readFileSync(join(stages, 'evaluate', name));
  for (const name of ['model.safetensors', 'config.json', 'tokenizer.json']) files[`sft/model/${name}`] = readFileSync(join(stages, 'sft', 'model', name));
  return files;
}

/** Whole-file check of every JSON and JSONL file in the run folder, plus leftovers of atomic writes. */
function tornFiles(folder: string, finished: boolean): string[] {
  const runFolder = join(folder, 'runs', 'kills');
  if (!existsSync(runFolder)) return [];
  const problems: string[] = [];
  for (const file of readdirSync(runFolder, { recursive: true }) as string[]) {
    const path = join(runFolder, file);
    if (!statSync(path).isFile()) continue;
    if (finished && (file.endsWith('.tmp') || file.endsWith('.partial'))) problems.push(`${file}: leftover`);
    if (file.endsWith('.json')) {
      try {
        JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        problems.push(`${file}: not whole JSON`);
      }
    } else if (file.endsWith('.jsonl')) {
      // A running stage may have bytes past its committed length (rewound on resume); the
      // committed prefix, and every file of a finished run, must be whole lines.
      let text = readFileSync(path, 'utf8');
      const statePath = join(path, '..', 'state.json');
      if (!finished && existsSync(statePath)) {
        try {
          const state = JSON.parse(readFileSync(statePath, 'utf8')) as { status: string; offsets: Record<string, number> };
          const key = file.endsWith('output.jsonl') ? 'output' : file.endsWith('rejected.jsonl') ? 'rejected' : file.endsWith('metrics.jsonl') ? 'metrics' : undefined;
          if (state.status !== 'done' && key && state.offsets[key] !== undefined) text = text.slice(0, state.offsets[key]);
          else if (state.status !== 'done') continue;
        } catch {
          // state.json itself is reported above.
        }
      }
      if (text.length > 0 && !text.endsWith('\n')) problems.push(`${file}: torn last line`);
      for (const [index, line] of text.split('\n').entries()) {
        if (!line) continue;
        try {
          JSON.parse(line);
        } catch {
          problems.push(`${file}:${index + 1}: torn line`);
          break;
        }
      }
    }
  }
  return problems;
}

function rowsOf(buffer: Buffer): string[] {
  return buffer.toString('utf8').split('\n').filter(Boolean);
}

export async function runRecipeKills(options: KillOptions): Promise<KillReport> {
  const log = options.log ?? (() => undefined);
  rmSync(options.folder, { recursive: true, force: true });
  const run = (cwd: string, onStage?: (stage: string) => void) =>
    startCli(builtCli, ['run', 'recipe.yaml', '--json'], {
      cwd,
      // The evaluation opens the SFT stage's model by reference (no backend option there): cpu
      // for it too, as for the teacher and the trainer.
      env: { NO_COLOR: '1', EASYDISTILL_BACKEND: 'cpu' },
      onStdout: (text) => {
        for (const match of text.matchAll(/"type":"stage-(?:start|skip)","stage":"([^"]+)"/g)) onStage?.(match[1]!);
        if (text.includes('"type":"export"')) onStage?.('export');
      },
    });

  const reference = join(options.folder, 'reference');
  writeRecipe(reference, options);
  const started = Date.now();
  const clean: CliResult = await run(reference).done;
  const lifetimeMs = Date.now() - started;
  if (clean.code !== 0) throw new Error(`the uninterrupted run failed (${clean.code}):\n${clean.stderr}\n${clean.stdout.slice(-2000)}`);
  const expected = finalFiles(reference);
  const referenceRows = Object.fromEntries(Object.entries(expected).filter(([name]) => name.endsWith('.jsonl')).map(([name, bytes]) => [name, rowsOf(bytes).length]));
  log(`reference run: ${lifetimeMs} ms, rows ${JSON.stringify(referenceRows)}`);

  const report: KillReport = { lifetimeMs, kills: 0, killedIn: {}, episodes: 0, rowsLost: 0, rowsDuplicated: 0, filesDiffering: [], tornFiles: [], leftovers: [], weightBytesDiffering: 0, referenceRows };
  const random = mulberry32(options.seed);
  const crashed = join(options.folder, 'crashed');
  writeRecipe(crashed, options);

  const compare = () => {
    const actual = finalFiles(crashed);
    for (const [name, bytes] of Object.entries(expected)) {
      const got = actual[name];
      if (!got) {
        report.filesDiffering.push(`episode ${report.episodes + 1}: ${name} missing`);
        continue;
      }
      if (name.endsWith('.jsonl')) {
        const wanted = rowsOf(bytes);
        const rows = rowsOf(got);
        report.rowsLost += wanted.filter((row) => !rows.includes(row)).length;
        report.rowsDuplicated += rows.length - new Set(rows).size;
      }
      if (!got.equals(bytes)) {
        report.filesDiffering.push(`episode ${report.episodes + 1}: ${name}`);
        if (name.endsWith('.safetensors')) {
          let differing = Math.abs(got.length - bytes.length);
          for (let index = 0; index < Math.min(got.length, bytes.length); index += 1) if (got[index] !== bytes[index]) differing += 1;
          report.weightBytesDiffering += differing;
        }
      }
    }
    for (const problem of tornFiles(crashed, true)) (problem.endsWith(': leftover') ? report.leftovers : report.tornFiles).push(`episode ${report.episodes + 1} end: ${problem}`);
    report.episodes += 1;
    log(`episode ${report.episodes} compared: weights sha256 ${createHash('sha256').update(actual['sft/model/model.safetensors']!).digest('hex').slice(0, 16)}`);
    rmSync(crashed, { recursive: true, force: true });
    writeRecipe(crashed, options);
  };

  // Kill delays are drawn over the lifetime of the latest run from an empty folder: the machine's
  // speed changes (shared CPUs), and delays past the run's end would kill nothing.
  let lifetime = lifetimeMs;
  let fresh = true;
  while (report.kills < options.kills) {
    const delay = Math.floor(random() * lifetime);
    const begun = Date.now();
    let stage = 'start-up';
    const attempt = run(crashed, (name) => (stage = name));
    const timer = setTimeout(() => attempt.child.kill('SIGKILL'), delay);
    const result = await attempt.done;
    clearTimeout(timer);
    if (result.signal === 'SIGKILL') {
      fresh = false;
      report.kills += 1;
      report.killedIn[stage] = (report.killedIn[stage] ?? 0) + 1;
      for (const problem of tornFiles(crashed, false)) report.tornFiles.push(`after kill ${report.kills} (in ${stage}): ${problem}`);
      log(`kill ${report.kills} after ${delay} ms, in ${stage}`);
    } else if (result.code === 0) {
      if (fresh) lifetime = Date.now() - begun;
      compare();
      fresh = true;
    } else {
      throw new Error(`a rerun failed (${result.code}):\n${result.stderr}\n${result.stdout.slice(-2000)}`);
    }
  }
  const last = await run(crashed).done;
  if (last.code !== 0) throw new Error(`the last rerun failed (${last.code}):\n${last.stderr}`);
  compare();
  return report;
}

/** Markdown lines for a report. */
export function describeKills(report: KillReport): string[] {
  return [
    `- uninterrupted run: ${(report.lifetimeMs / 1000).toFixed(1)} s; reference rows ${Object.entries(report.referenceRows).map(([name, count]) => `${name} ${count}`).join(', ')}`,
    `- trials (SIGKILLs): ${report.kills}, by stage: ${Object.entries(report.killedIn).map(([stage, count]) => `${stage} ${count}`).join(', ')}`,
    `- finished reruns compared with the uninterrupted run: ${report.episodes}`,
    `- rows lost: ${report.rowsLost}; rows duplicated: ${report.rowsDuplicated}`,
    `- torn files: ${report.tornFiles.length}${report.tornFiles.length ? ` (${report.tornFiles.slice(0, 5).join('; ')})` : ''}`,
    `- leftover temporary files after a finished rerun: ${report.leftovers.length}${report.leftovers.length ? ` (${report.leftovers.slice(0, 5).join('; ')})` : ''}`,
    `- files differing from the uninterrupted run (datasets, export, weights, evaluation): ${report.filesDiffering.length}${report.filesDiffering.length ? ` (${report.filesDiffering.slice(0, 5).join('; ')})` : ''}; weight bytes differing: ${report.weightBytesDiffering}`,
  ];
}
