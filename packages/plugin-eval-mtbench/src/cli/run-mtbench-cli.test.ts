import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFixtureText } from '../__fixtures__/read-fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { runMtbenchCli } from './run-mtbench-cli';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runMtbenchCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const folder = mkdtempSync(join(tmpdir(), 'mtbench-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function judgmentsFile(name: string, records: object[]): string {
  const path = join(folder, name);
  writeFileSync(path, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
  return path;
}

const record = (model: string, questionId: number, turn: 1 | 2, score: number, judgment = `Rating: [[${score}]]`) => ({
  question_id: questionId,
  model,
  judge: ['gpt-4', turn === 1 ? 'single-v1' : 'single-v1-multi-turn'],
  user_prompt: '…',
  judgment,
  score,
  turn,
  tstamp: 1687221890.1,
});

describe('easydistill eval mtbench', () => {
  it('scores the official GPT-4 judgments of alpaca-13b as published (4.53)', async () => {
    const official = fileURLToPath(new URL('../__fixtures__/model_judgment/gpt-4_single.alpaca-13b.jsonl', import.meta.url));
    const result = await run(['--judgments', official, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    // lmsys.org leaderboard (2023-06-22, GPT-4 single grading): Alpaca-13B 4.53.
    const published = readFixtureText('published_scores.csv').split('\n').find((line) => line.split(',')[1] === 'alpaca-13b')!.split(',')[2];
    expect(summary.score.toFixed(2)).toBe(published);
    expect(summary).toMatchObject({ model: 'alpaca-13b', score: 4.53125, turn_1: 4.975, turn_2: 4.0875, n: 160, n_invalid: 0 });
    expect(Object.keys(summary.categories)).toEqual(['writing', 'roleplay', 'reasoning', 'math', 'coding', 'extraction', 'stem', 'humanities']);
    expect(summary.categories.math.score).toBe(1.05);
  });

  it('prints score and per-turn scores as JSON', async () => {
    const path = judgmentsFile('one.jsonl', [record('student', 81, 1, 8), record('student', 81, 2, 6), record('student', 101, 1, 9), record('student', 101, 2, -1, '$ERROR$')]);
    const result = await run(['--judgments', path, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ model: 'student', score: 23 / 3, turn_1: 8.5, turn_2: 6, n: 3, n_invalid: 1 });
    expect(summary.categories.writing).toEqual({ score: 7, turn_1: 8, turn_2: 6, n: 2 });
    expect(summary.categories.reasoning).toEqual({ score: 9, turn_1: 9, turn_2: null, n: 1 });
  });

  it('lists every model, or the one asked for, and prints a table without --json', async () => {
    const path = judgmentsFile('two.jsonl', [record('teacher', 81, 1, 9), record('teacher', 81, 2, 9), record('student', 81, 1, 5), record('student', 81, 2, 4)]);
    const both = JSON.parse((await run(['--judgments', path, '--json'])).stdout);
    expect(both.models.map((summary: { model: string; score: number }) => [summary.model, summary.score])).toEqual([
      ['teacher', 9],
      ['student', 4.5],
    ]);
    expect(JSON.parse((await run(['--judgments', path, '--json', '--model', 'student'])).stdout).score).toBe(4.5);
    const text = await run(['--judgments', path]);
    expect(text.stdout).toMatch(/teacher\s+9\.00\s+9\.00\s+9\.00\s+2\s+0/);
    expect(text.stdout).toContain('student by category');
    expect(text.stdout).toContain('| MT-Bench (1–10) | teacher | student | student − teacher |');
    expect(text.stdout).toContain('| MT-Bench score | 9.00 | 4.50 | -4.50 |');
    expect(text.stdout).toContain('| writing | 9.00 | 4.50 | -4.50 |');
  });

  it('parses the rating from the judgment text when a record has no score', async () => {
    const { score: _dropped, ...withoutScore } = record('m', 81, 1, 7);
    const path = judgmentsFile('noscore.jsonl', [withoutScore]);
    expect(JSON.parse((await run(['--judgments', path, '--json'])).stdout).score).toBe(7);
  });

  it('answers usage errors with 2 and data errors with 1, naming file and line', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--judgments', 'x', '--nope'])).code).toBe(2);
    const bad = judgmentsFile('bad.jsonl', [record('m', 81, 1, 7), { model: 'm' }]);
    const result = await run(['--judgments', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad.jsonl:2 needs question_id');
    expect((await run(['--judgments', join(folder, 'missing.jsonl')])).stderr).toMatch(/Cannot read .*missing\.jsonl/);
    const path = judgmentsFile('one-model.jsonl', [record('m', 81, 1, 7)]);
    expect((await run(['--judgments', path, '--model', 'other'])).stderr).toContain('no judgments of model "other"');
  });
});
