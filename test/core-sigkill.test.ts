// Crash safety of `easydistill run` (issue 2 acceptance): a multi-stage recipe of slow test
// components is killed with SIGKILL at 20 seeded random points, re-run after each kill, and its
// final datasets must equal those of an uninterrupted run row for row: 0 lost, 0 duplicated, 0
// torn lines. Between kills, every committed file must hold whole JSON lines only.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runCli, startCli, type CliResult } from './support/core-cli';
import { mulberry32 } from './support/seeded-random';

const pluginPath = fileURLToPath(new URL('./__fixtures__/slow-plugin', import.meta.url));
const STAGES = ['shout', 'filter', 'answer', 'check'];
const KILLS = 20;

function writeRecipe(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const seeds = Array.from({ length: 30 }, (_, index) => ({ instruction: `question number ${index + 1}${index % 7 === 0 ? ' with a much longer tail of words' : ''}` }));
  writeFileSync(join(folder, 'seeds.jsonl'), seeds.map((row) => JSON.stringify(row)).join('\n') + '\n');
  writeFileSync(
    join(folder, 'recipe.yaml'),
    `apiVersion: easydistill/v1
name: crash
seed: 11
cache: ./cache
plugins: [${JSON.stringify(pluginPath)}]
components:
  teacher: { use: slow/echo, options: { delayMs: 15 } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: shout, use: slow/shout, in: seeds, out: shouted, with: { teacher: teacher, concurrency: 2 } }
  - { id: filter, use: slow/hash-filter, in: shouted, out: kept, with: { dropEvery: 4, delayMs: 5 } }
  - { id: answer, use: slow/answer, in: kept, out: answered, with: { delayMs: 10, maxLength: 40, concurrency: 3 } }
  - { id: check, use: slow/check, in: answered, out: checked, concurrency: 2, with: { delayMs: 10 } }
exports:
  final: { from: checked, path: ./final.jsonl, format: alpaca }
`,
  );
}

/** The datasets a finished run leaves: every stage's output and rejected rows, and the export. */
function datasets(folder: string): Record<string, string> {
  const files: Record<string, string> = { 'final.jsonl': readFileSync(join(folder, 'final.jsonl'), 'utf8') };
  for (const stage of STAGES) {
    for (const name of ['output.jsonl', 'rejected.jsonl']) files[`${stage}/${name}`] = readFileSync(join(folder, 'runs', 'crash', 'stages', stage, name), 'utf8');
  }
  return files;
}

/** Parses JSONL text; throws on a torn or non-JSON line. */
function parseLines(text: string, what: string): Array<Record<string, unknown>> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${what}: torn last line`);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${what}:${index + 1}: torn line ${JSON.stringify(line.slice(0, 60))}`);
      }
    });
}

/**
 * What must hold after any kill: state.json parses; the committed prefix of each row file is whole
 * JSON lines with unique ids and as many rows as the state says; a finished stage's files are whole.
 */
function checkInvariants(folder: string): void {
  const stagesFolder = join(folder, 'runs', 'crash', 'stages');
  if (!existsSync(stagesFolder)) return;
  for (const stage of readdirSync(stagesFolder)) {
    const statePath = join(stagesFolder, stage, 'state.json');
    if (!existsSync(statePath)) continue;
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    for (const [name, key, count] of [
      ['output.jsonl', 'output', state.rowsOut],
      ['rejected.jsonl', 'rejected', state.rowsRejected],
    ] as const) {
      const path = join(stagesFolder, stage, name);
      if (!existsSync(path)) {
        // Only a stage that has committed nothing yet may lack its files.
        expect({ file: `${stage}/${name}`, status: state.status, committed: state.offsets[key] }).toEqual({ file: `${stage}/${name}`, status: 'running', committed: 0 });
        continue;
      }
      const bytes = readFileSync(path);
      const committed = state.status === 'done' ? bytes : bytes.subarray(0, state.offsets[key]);
      if (state.status === 'running') expect(bytes.length, `${stage}/${name} shorter than its committed length`).toBeGreaterThanOrEqual(state.offsets[key]);
      if (state.status === 'running' && (stage === 'filter')) continue; // a selector's files are written whole, at the end
      const rows = parseLines(committed.toString('utf8'), `${stage}/${name}`);
      expect(rows.length, `${stage}/${name} rows vs state`).toBe(count);
      const ids = rows.map((row) => String((name === 'output.jsonl' ? row : (row.row as Record<string, unknown>)).id));
      expect(new Set(ids).size, `${stage}/${name} duplicated ids`).toBe(ids.length);
    }
  }
}

let cli: string;
const folders: string[] = [];

beforeAll(async () => {
  cli = await bundleCli();
});

afterAll(() => {
  rmSync(cli, { force: true });
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('easydistill run under SIGKILL', () => {
  it(`loses nothing, duplicates nothing and tears no line when killed at ${KILLS} random points`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'easydistill-sigkill-'));
    folders.push(root);

    // The uninterrupted reference run, timed to choose the kill points.
    const reference = join(root, 'reference');
    writeRecipe(reference);
    const started = Date.now();
    const clean = await runCli(cli, ['run', 'recipe.yaml', '--json'], { cwd: reference });
    const lifetime = Date.now() - started;
    expect(clean.code, clean.stderr).toBe(0);
    const expected = datasets(reference);
    expect(parseLines(expected['check/output.jsonl'], 'reference').length).toBeGreaterThan(10);
    expect(parseLines(expected['answer/rejected.jsonl'], 'reference').length).toBeGreaterThan(0);
    expect(parseLines(expected['filter/rejected.jsonl'], 'reference').length).toBeGreaterThan(0);

    const random = mulberry32(20261123);
    const crashed = join(root, 'crashed');
    let episodes = 0;
    let kills = 0;
    const killedIn = new Set<string>();
    const compareAndReset = () => {
      // An episode ended with a finished run: its datasets must be the reference's, byte for byte.
      const actual = datasets(crashed);
      for (const [name, text] of Object.entries(expected)) {
        const rows = parseLines(actual[name], name);
        const wanted = parseLines(text, name);
        const key = (row: Record<string, unknown>) => JSON.stringify(row);
        const lost = wanted.filter((row) => !rows.some((other) => key(other) === key(row))).length;
        const duplicated = rows.length - new Set(rows.map(key)).size;
        expect({ name, lost, duplicated, rows: rows.length }).toEqual({ name, lost: 0, duplicated: 0, rows: wanted.length });
        expect(actual[name], name).toBe(text);
      }
      // No leftovers: temporary files of atomic writes, or half a line in any stage's metrics.
      const runFolder = join(crashed, 'runs', 'crash');
      const leftovers = (readdirSync(runFolder, { recursive: true }) as string[]).filter((file) => file.endsWith('.tmp') || file.endsWith('.partial'));
      expect(leftovers).toEqual([]);
      for (const stage of STAGES) parseLines(readFileSync(join(runFolder, 'stages', stage, 'metrics.jsonl'), 'utf8'), `${stage}/metrics.jsonl`);
      episodes += 1;
      rmSync(crashed, { recursive: true, force: true });
    };

    writeRecipe(crashed);
    while (kills < KILLS) {
      // A point anywhere in the process's life: start-up, any stage, the export.
      const delay = Math.floor(random() * lifetime);
      let stage = 'start-up';
      const run = startCli(cli, ['run', 'recipe.yaml', '--json'], {
        cwd: crashed,
        onStdout: (text) => {
          for (const match of text.matchAll(/"type":"stage-(?:start|skip)","stage":"([^"]+)"/g)) stage = match[1];
          if (text.includes('"type":"export"')) stage = 'export';
        },
      });
      const timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
      const result: CliResult = await run.done;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') {
        kills += 1;
        killedIn.add(stage);
        checkInvariants(crashed);
      } else {
        expect(result.code, result.stderr).toBe(0);
        compareAndReset();
        writeRecipe(crashed);
      }
    }
    // Finish the last episode.
    const last = await runCli(cli, ['run', 'recipe.yaml', '--json'], { cwd: crashed });
    expect(last.code, last.stderr).toBe(0);
    compareAndReset();

    console.log(`sigkill: lifetime ${lifetime} ms, ${kills} kills in ${[...killedIn].join(', ')}; ${episodes} episodes compared`);
    expect(kills).toBe(KILLS);
    expect(episodes).toBeGreaterThanOrEqual(2);
    // The kills landed in several places, not all in start-up.
    expect(killedIn.size, [...killedIn].join(', ')).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
