import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScriptedTeacher, createTestContext, describeEvaluatorConformance } from '@easydistill/core/testing';
import { describe, expect, it } from 'vitest';
import { readFixtureLines } from '../__fixtures__/gpt4-fixtures';
import plugin from '../index';
import { readIfevalInputData } from '../read-input-data';
import { scoreIfeval } from '../score-ifeval';
import { IfevalEvaluator, ifevalEvaluatorOptionsSchema } from './ifeval-evaluator';

const gpt4 = new Map(readFixtureLines<{ prompt: string; response: string }>('input_response_data_gpt4_20231107_145030.jsonl').map((row) => [row.prompt, row.response]));

describeEvaluatorConformance({ plugin, componentId: 'ifeval/run', options: { models: ['student'] }, teachers: { student: () => 'answer' } });

describe('ifeval/run evaluator', () => {
  it('generates greedy 1,280-token answers per model, scores them, writes official files, and resumes', async () => {
    const student = createScriptedTeacher({ modelId: 'gpt-4-replay', respond: (messages) => gpt4.get(messages[0]!.content)! });
    const teacher = createScriptedTeacher({ modelId: 'terse', respond: () => 'OK' });
    const context = createTestContext({ teachers: { student, teacher } });
    const options = ifevalEvaluatorOptionsSchema.parse({ models: { student: 'student', teacher: 'teacher' }, limit: 25 });
    const outputDir = join(context.workDir, 'ifeval');
    const result = await new IfevalEvaluator(options, context).doEvaluate({ outputDir });

    expect(student.calls).toBe(25);
    expect(student.requests[0]).toMatchObject({ temperature: 0, maxTokens: 1280, messages: [{ role: 'user' }] });
    const inputs = (await readIfevalInputData()).slice(0, 25);
    const expected = scoreIfeval(inputs, gpt4).summary;
    expect(result.benchmark).toBe('ifeval');
    expect(result.metrics.student).toEqual({
      prompt_level_strict_acc: expected.prompt_level_strict_acc,
      inst_level_strict_acc: expected.inst_level_strict_acc,
      prompt_level_loose_acc: expected.prompt_level_loose_acc,
      inst_level_loose_acc: expected.inst_level_loose_acc,
    });
    expect(result.metrics.teacher!.prompt_level_strict_acc).toBeLessThan(expected.prompt_level_strict_acc);
    const table = result.table.split('\n');
    expect(table[0]).toBe('| IFEval (%) | student | teacher | teacher − student |');
    const teacherStrict = result.metrics.teacher!.prompt_level_strict_acc!;
    expect(table[2]).toBe(
      `| prompt-level strict | ${(expected.prompt_level_strict_acc * 100).toFixed(2)} | ${(teacherStrict * 100).toFixed(2)} | ${((teacherStrict - expected.prompt_level_strict_acc) * 100).toFixed(2)} |`,
    );
    expect(readFileSync(join(outputDir, 'table.md'), 'utf8')).toBe(`${result.table}\n`);
    expect(result.categories?.student?.['punctuation (strict)']).toBe(expected.strict.by_category.punctuation!.accuracy);

    const official = readFixtureLines<{ follow_instruction_list: boolean[] }>('eval_results_strict.jsonl').slice(0, 25);
    const written = readFileSync(join(outputDir, 'student', 'eval_results_strict.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(written.map((row) => row.follow_instruction_list)).toEqual(official.map((row) => row.follow_instruction_list));
    expect(readFileSync(join(outputDir, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(50);
    expect(JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'))).toMatchObject({ benchmark: 'ifeval', prompts: 25 });
    expect(existsSync(join(outputDir, 'teacher', 'input_response_data.jsonl'))).toBe(true);
    expect(context.progressEvents.reduce((sum, event) => sum + event.done, 0)).toBe(50);

    // A second run finds every answer on disk and asks nothing.
    const again = await new IfevalEvaluator(options, context).doEvaluate({ outputDir });
    expect(student.calls).toBe(25);
    expect(teacher.calls).toBe(25);
    expect(again.metrics).toEqual(result.metrics);
  }, 30_000);

  it('rejects unknown options and declares the models it needs', () => {
    expect(ifevalEvaluatorOptionsSchema.safeParse({ models: ['a'], temperature: 1 }).success).toBe(false);
    expect(ifevalEvaluatorOptionsSchema.safeParse({ models: { 'bad name': 'a' } }).success).toBe(false);
    const definition = plugin.provides[0]!;
    expect(definition.teacherNeeds?.(ifevalEvaluatorOptionsSchema.parse({ models: { student: './out/model' } }))).toEqual([
      { reference: './out/model', path: 'with.models.student' },
    ]);
  });
});
