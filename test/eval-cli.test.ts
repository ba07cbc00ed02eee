import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { PluginManifest } from '@easydistill/core';
import alpaca from '@easydistill/plugin-eval-alpaca';
import ifeval, { ifevalInputDataPath } from '@easydistill/plugin-eval-ifeval';
import mtbench, { MT_BENCH_QUESTIONS } from '@easydistill/plugin-eval-mtbench';
import { afterAll, describe, expect, it } from 'vitest';

// `easydistill eval ifeval | alpaca | mtbench --json`, run as core runs them: the command the
// plugin manifest contributes, called with the remaining arguments and the process-like streams.
const folder = mkdtempSync(join(tmpdir(), 'easydistill-eval-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const packageFile = (path: string) => fileURLToPath(new URL(`../packages/${path}`, import.meta.url));
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));

async function easydistill(plugin: PluginManifest, words: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = plugin.commands?.find((entry) => entry.name === words);
  if (!command) throw new Error(`${plugin.name} contributes no "${words}" command`);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const output = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const code = await command.run(argv, { stdout, stderr, cwd: folder, env: {} });
  return { code, ...output };
}

describe('easydistill eval … --json', () => {
  it('ifeval: the four metrics as fractions, equal to the official verdicts on 40 GPT-4 responses', async () => {
    // Prompts 31–70 (none of the two keys whose official verdict is random), their official GPT-4 responses.
    const inputs = readLines(ifevalInputDataPath()).slice(30, 70);
    expect(inputs.some((row) => row.key === 1122 || row.key === 1129)).toBe(false);
    const prompts = new Set(inputs.map((row) => row.prompt));
    const responses = readLines(packageFile('plugin-eval-ifeval/src/__fixtures__/input_response_data_gpt4_20231107_145030.jsonl')).filter((row) => prompts.has(row.prompt));
    writeFileSync(join(folder, 'input_data.jsonl'), inputs.map((row) => JSON.stringify(row)).join('\n'));
    writeFileSync(join(folder, 'responses.jsonl'), responses.map((row) => JSON.stringify(row)).join('\n'));
    const result = await easydistill(ifeval, 'eval ifeval', ['--responses', 'responses.jsonl', '--input-data', 'input_data.jsonl', '--json']);
    expect(result.code).toBe(0);

    const official = (mode: string) => readLines(packageFile(`plugin-eval-ifeval/src/__fixtures__/eval_results_${mode}.jsonl`)).filter((row) => prompts.has(row.prompt));
    const metrics = (rows: Array<{ follow_all_instructions: boolean; follow_instruction_list: boolean[] }>) => ({
      prompt: rows.filter((row) => row.follow_all_instructions).length / rows.length,
      inst: rows.flatMap((row) => row.follow_instruction_list).filter(Boolean).length / rows.flatMap((row) => row.follow_instruction_list).length,
    });
    const strict = metrics(official('strict'));
    const loose = metrics(official('loose'));
    expect(JSON.parse(result.stdout)).toEqual({
      prompt_level_strict_acc: strict.prompt,
      inst_level_strict_acc: strict.inst,
      prompt_level_loose_acc: loose.prompt,
      inst_level_loose_acc: loose.inst,
    });
    expect(strict.prompt).toBeLessThan(1);
  }, 60_000);

  it('alpaca: win_rate, standard_error and length_controlled_winrate in percent, as on the leaderboard', async () => {
    const annotations = packageFile('plugin-eval-alpaca/src/__fixtures__/annotations/Qwen-14B-Chat.json');
    const result = await easydistill(alpaca, 'eval alpaca', ['--annotations', annotations, '--data-dir', packageFile('plugin-eval-alpaca/src/__fixtures__'), '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['win_rate', 'standard_error', 'length_controlled_winrate']));
    // AlpacaEval 2.0 leaderboard, Qwen-14B-Chat: win rate 7.50, SE 0.81, LC 12.38 (percent).
    expect(summary.win_rate).toBeCloseTo(7.502333, 4);
    expect(summary.standard_error).toBeCloseTo(0.814727, 4);
    expect(Math.abs(summary.length_controlled_winrate - 12.378742)).toBeLessThan(0.2);
  }, 60_000);

  it('mtbench: the official GPT-4 judgments of alpaca-13b score 4.53, as published', async () => {
    const official = packageFile('plugin-eval-mtbench/src/__fixtures__/model_judgment/gpt-4_single.alpaca-13b.jsonl');
    const result = await easydistill(mtbench, 'eval mtbench', ['--judgments', official, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.score.toFixed(2)).toBe('4.53');
    expect([summary.turn_1, summary.turn_2]).toEqual([4.975, 4.0875]);
  });

  it('mtbench: score and per-turn scores of a FastChat single-judgment file', async () => {
    // Two models, all 80 questions: the rating is a fixed function of (model, question, turn);
    // every 13th judgment failed ($ERROR$, score −1) and is dropped.
    const records: object[] = [];
    const kept: Record<string, { all: number[]; turn1: number[]; turn2: number[] }> = { teacher: { all: [], turn1: [], turn2: [] }, student: { all: [], turn1: [], turn2: [] } };
    for (const [offset, model] of ['teacher', 'student'].entries()) {
      for (const question of MT_BENCH_QUESTIONS) {
        for (const turn of [1, 2]) {
          const failed = records.length % 13 === 12;
          const rating = ((question.question_id * 3 + turn + offset * 4) % 10) + 1;
          records.push({
            question_id: question.question_id,
            model,
            judge: ['gpt-4', turn === 1 ? 'single-v1' : 'single-v1-multi-turn'],
            user_prompt: '…',
            judgment: failed ? '$ERROR$' : `Rating: [[${rating}]]`,
            score: failed ? -1 : rating,
            turn,
            tstamp: 1687221890.1,
          });
          if (!failed) {
            kept[model]!.all.push(rating);
            kept[model]![turn === 1 ? 'turn1' : 'turn2'].push(rating);
          }
        }
      }
    }
    writeFileSync(join(folder, 'gpt-4_single.jsonl'), records.map((record) => JSON.stringify(record)).join('\n'));
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const result = await easydistill(mtbench, 'eval mtbench', ['--judgments', 'gpt-4_single.jsonl', '--model', 'student', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.score).toBeCloseTo(mean(kept.student!.all), 12);
    expect(summary.turn_1).toBeCloseTo(mean(kept.student!.turn1), 12);
    expect(summary.turn_2).toBeCloseTo(mean(kept.student!.turn2), 12);
    expect(summary.n_invalid).toBe(160 - kept.student!.all.length);
    const both = JSON.parse((await easydistill(mtbench, 'eval mtbench', ['--judgments', 'gpt-4_single.jsonl', '--json'])).stdout);
    expect(both.models.map((entry: { model: string; score: number }) => entry.model)).toEqual(['teacher', 'student']);
    expect(both.models[0].score).toBeCloseTo(mean(kept.teacher!.all), 12);
  });
});
