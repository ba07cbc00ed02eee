import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest, type ChatMessageV1 } from '@easydistill/core';
import { createScriptedTeacher, createTestContext, describeEvaluatorConformance } from '@easydistill/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureDatasetFiles, startLoopbackHub } from '../__fixtures__/loopback-hub';
import plugin, { ALPACA_EVAL_REPOSITORY, ALPACA_EVAL_REVISION, alpacaEvaluator, isSwitchedOutputs } from '../index';

const fixturesPath = fileURLToPath(new URL('../__fixtures__/', import.meta.url));
const evalSet = JSON.parse(readFileSync(join(fixturesPath, 'alpaca_eval_gpt4_baseline.json'), 'utf8')) as Array<{ instruction: string; output: string }>;

describeEvaluatorConformance({ plugin, componentId: 'alpaca/run', options: { models: ['student'], judge: 'judge' } });

/** The output a scripted model gives: marked with its name, so the scripted judge can tell them apart. */
const modelOutput = (name: string, instruction: string) => `[${name}] ${instruction.slice(0, 30)}`;

/** Scripted judge: prefers the student on even-indexed instructions, the baseline otherwise; always prefers the teacher. */
function judgeAnswer(messages: ChatMessageV1[]): string {
  const user = messages[1].content;
  const instruction = user.slice(user.indexOf('"instruction": """') + 18, user.indexOf('""",\n}\n\n## Model Outputs'));
  const index = evalSet.findIndex((item) => item.instruction === instruction);
  const shownAsM = user.slice(user.indexOf('"output": """') + 13, user.indexOf('"""\n    },\n    {\n        "model_identifier": "M"'));
  const modelIsM = shownAsM.startsWith('[student]') || shownAsM.startsWith('[teacher]');
  const preferModel = shownAsM.startsWith('[teacher]') || user.includes('"""[teacher]') || index % 2 === 0;
  return preferModel === modelIsM ? 'm' : 'M';
}

describe('alpaca/run', () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'alpaca-run-'));
  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  it('is a valid plugin manifest with the evaluator and the eval alpaca command', () => {
    const manifest = validateManifest(plugin.name, plugin);
    expect(manifest.namespace).toBe('alpaca');
    expect(plugin.commands?.map((command) => command.name)).toEqual(['eval alpaca']);
    expect(alpacaEvaluator.teacherNeeds?.(alpacaEvaluator.optionsSchema.parse({ models: ['student'], judge: 'gpt' }))).toEqual([
      { reference: 'student', path: 'with.models.0' },
      { reference: 'gpt', path: 'with.judge', logprobs: true, topLogprobs: 5 },
    ]);
  });

  it('generates, judges with the official order switch and scores two models', async () => {
    const student = createScriptedTeacher({ modelId: 'student-model', respond: (messages) => modelOutput('student', messages[0].content) });
    const teacher = createScriptedTeacher({ modelId: 'teacher-model', respond: (messages) => modelOutput('teacher', messages[0].content) });
    const judge = createScriptedTeacher({ modelId: 'judge-model', capabilities: { logprobs: true, maxTopLogprobs: 20 }, respond: judgeAnswer });
    const context = createTestContext({ teachers: { student, teacher, judge }, recipeDir: fixturesPath });
    const options = alpacaEvaluator.optionsSchema.parse({ models: ['student', 'teacher'], judge: 'judge', data: { localPath: '.' }, limit: 40, c: 2.782559402207126 });
    const evaluator = await alpacaEvaluator.create({ options, context });
    const result = await evaluator.doEvaluate({ outputDir });

    expect(student.calls).toBe(40);
    expect(judge.calls).toBe(80);
    expect(judge.requests.every((request) => request.maxTokens === 1 && request.temperature === 1 && request.topLogprobs === 5)).toBe(true);
    expect(result.metrics.student.win_rate).toBeCloseTo(50, 10);
    expect(result.metrics.teacher.win_rate).toBeCloseTo(100, 10);
    expect(result.metrics.student.n_total).toBe(40);
    const table = result.table.split('\n');
    expect(table[0]).toBe('| AlpacaEval 2.0 | student | teacher | teacher − student |');
    expect(table[3]).toBe(`| win rate (%) | ${result.metrics.student.win_rate.toFixed(2)} | 100.00 | +${(100 - result.metrics.student.win_rate).toFixed(2)} |`);
    expect(readFileSync(join(outputDir, 'table.md'), 'utf8')).toBe(`${result.table}\n`);

    const annotations = JSON.parse(readFileSync(join(outputDir, 'annotations', 'student.json'), 'utf8'));
    expect(annotations).toHaveLength(40);
    annotations.forEach((annotation: { instruction: string; preference: number; is_switched_outputs: boolean; output_1: string }, index: number) => {
      expect(annotation.preference).toBe(index % 2 === 0 ? 2 : 1);
      expect(annotation.is_switched_outputs).toBe(isSwitchedOutputs(evalSet[index].instruction));
      expect(annotation.output_1).toBe(evalSet[index].output);
    });
    const outputs = JSON.parse(readFileSync(join(outputDir, 'model_outputs', 'teacher.json'), 'utf8'));
    expect(outputs[3]).toMatchObject({ instruction: evalSet[3].instruction, output: modelOutput('teacher', evalSet[3].instruction), generator: 'teacher' });
    expect(readFileSync(join(outputDir, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(80);
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.judge).toEqual({ reference: 'judge', model: 'judge-model' });
    expect(summary.models.student.length_controlled_winrate).toBe(result.metrics.student.length_controlled_winrate);
  });

  it('loads the eval set from the Hub at run time (pinned revision, HF cache) by default', async () => {
    const hub = await startLoopbackHub({
      repository: ALPACA_EVAL_REPOSITORY,
      revision: ALPACA_EVAL_REVISION,
      files: fixtureDatasetFiles((name) => readFileSync(join(fixturesPath, name))),
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'alpaca-run-cache-'));
    try {
      const student = createScriptedTeacher({ respond: (messages) => modelOutput('student', messages[0].content) });
      const judge = createScriptedTeacher({ capabilities: { logprobs: true, maxTopLogprobs: 20 }, respond: judgeAnswer });
      const context = createTestContext({ teachers: { student, judge } });
      const options = alpacaEvaluator.optionsSchema.parse({ models: ['student'], judge: 'judge', data: { hubUrl: hub.url, cacheDir }, limit: 6, c: 2.782559402207126 });
      const result = await (await alpacaEvaluator.create({ options, context })).doEvaluate({ outputDir: join(context.workDir, 'hub') });
      expect(result.metrics.student.n_total).toBe(6);
      expect(student.requests.map((request) => request.messages[0].content)).toEqual(evalSet.slice(0, 6).map((item) => item.instruction));
      expect(hub.requests.some((request) => request.method === 'GET' && request.url.includes(ALPACA_EVAL_REVISION))).toBe(true);
      expect(existsSync(join(cacheDir, 'datasets--tatsu-lab--alpaca_eval', 'snapshots', ALPACA_EVAL_REVISION, 'alpaca_eval_gpt4_baseline.json'))).toBe(true);
    } finally {
      await hub.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('refuses a judge without log-probabilities before judging', async () => {
    const student = createScriptedTeacher({ respond: () => 'x' });
    const judge = createScriptedTeacher({ respond: () => 'M' });
    const context = createTestContext({ teachers: { student, judge }, recipeDir: fixturesPath });
    const options = alpacaEvaluator.optionsSchema.parse({ models: ['student'], judge: 'judge', data: { localPath: '.' }, limit: 2 });
    const evaluator = await alpacaEvaluator.create({ options, context });
    await expect(evaluator.doEvaluate({ outputDir })).rejects.toThrow(/returns no top-5 log-probabilities/);
    expect(student.calls).toBe(0);
  });
});
