import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScriptedTeacher, createTestContext, describeEvaluatorConformance, describeVerifierConformance } from '@easydistill/core/testing';
import { describe, expect, it } from 'vitest';
import plugin from '../index';
import { generateItems } from '../task/generate-items';
import { parseInstruction } from '../task/parse-instruction';
import { SkillsEvaluator, skillsEvaluatorOptionsSchema } from './skills-evaluator';
import { SkillsVerifier, skillsVerifierOptionsSchema } from './skills-verifier';

describeVerifierConformance({ plugin, componentId: 'skills/verify' });
describeEvaluatorConformance({ plugin, componentId: 'skills/eval', options: { models: ['student'] }, teachers: { student: () => '0' } });

const verifier = new SkillsVerifier(skillsVerifierOptionsSchema.parse({}));

describe('skills/verify', () => {
  it('passes a correct answer and rejects a wrong one with the expected answer in the reason', async () => {
    expect(await verifier.doVerify({ id: 'a', instruction: 'What is 2 plus 3?', output: ' 5\n' })).toMatchObject({ pass: true, annotations: { skill: 'add', expected: '5', heldOut: false } });
    const wrong = await verifier.doVerify({ id: 'b', instruction: 'Flip the word "abc".', output: 'abc' });
    expect(wrong).toMatchObject({ pass: false, annotations: { skill: 'reverse', expected: 'cba', heldOut: true } });
    expect(wrong.reason).toBe('reverse: expected "cba", got "abc"');
  });

  it('reads chat rows, and rejects rows that are not skills items or have no response', async () => {
    const chat = { id: 'c', messages: [{ role: 'user' as const, content: 'Make "ab" all caps.' }, { role: 'assistant' as const, content: 'AB' }] };
    expect((await verifier.doVerify(chat)).pass).toBe(true);
    expect(await verifier.doVerify({ id: 'd', instruction: 'Tell me a joke.', output: 'no' })).toMatchObject({ pass: false, reason: 'not an instruction of the skills task (no phrasing matches)' });
    expect((await verifier.doVerify({ id: 'e', instruction: 'What is 2 plus 3?' })).reason).toMatch(/no response/);
  });
});

describe('skills/eval', () => {
  const items = generateItems({ perSkill: 3, seed: 11, phrasings: 'all', idPrefix: 'eval' });

  it('scores each model by rule per skill and prints a comparison table', async () => {
    const oracle = createScriptedTeacher({ modelId: 'oracle', respond: (messages) => parseInstruction(messages[0]!.content as string)!.expected });
    // Right on arithmetic only.
    const partial = createScriptedTeacher({
      modelId: 'partial',
      respond: (messages) => {
        const parsed = parseInstruction(messages[0]!.content as string)!;
        return parsed.skill.category === 'arithmetic' ? parsed.expected : 'no idea';
      },
    });
    const context = createTestContext({ teachers: { oracle, partial } });
    const options = skillsEvaluatorOptionsSchema.parse({ models: { teacher: 'oracle', student: 'partial' } });
    const input = { name: 'eval', path: 'eval.jsonl', rows: async function* () { yield* items; }, count: async () => items.length };
    const outputDir = join(context.workDir, 'out');
    const result = await new SkillsEvaluator(options, context).doEvaluate({ outputDir, input });

    expect(oracle.calls).toBe(items.length);
    expect(oracle.requests[0]).toMatchObject({ temperature: 0, maxTokens: 32 });
    expect(result.metrics.teacher!.accuracy).toBe(1);
    expect(result.metrics.student!.accuracy).toBeCloseTo(6 / 21);
    expect(result.metrics.student!['accuracy/add']).toBe(1);
    expect(result.metrics.student!['accuracy/reverse']).toBe(0);
    expect(result.categories!.student!.subtract).toBe(1);
    const lines = result.table.split('\n');
    expect(lines[0]).toBe('| skills accuracy (%) | teacher | student |');
    expect(lines).toContain('| add | 100.0 | 100.0 |');
    expect(lines).toContain('| reverse | 100.0 | 0.0 |');
    expect(lines.at(-1)).toBe('| **all** | **100.0** | **28.6** |');
    const written = readFileSync(join(outputDir, 'items.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(written).toHaveLength(2 * items.length);
    expect(written.find((row) => row.model === 'student' && row.skill === 'uppercase')).toMatchObject({ correct: false, response: 'no idea' });
    expect(context.progressEvents).toHaveLength(2 * items.length);
    expect(context.logs.some((log) => log.message.includes(result.table))).toBe(true);
  });

  it('draws held-out items itself without an input dataset, and names a bad input row', async () => {
    const teacher = createScriptedTeacher({ respond: () => '7' });
    const context = createTestContext({ teachers: { teacher } });
    const drawn = await new SkillsEvaluator(skillsEvaluatorOptionsSchema.parse({ models: ['teacher'], perSkill: 2 }), context).doEvaluate({ outputDir: join(context.workDir, 'drawn') });
    expect(teacher.calls).toBe(14);
    expect(drawn.metrics.teacher!['accuracy/held-out-phrasings']).toBe(drawn.metrics.teacher!.accuracy);
    const bad = [{ id: 'x1', instruction: 'Write a poem.' }];
    const input = { name: 'eval', path: '/data/eval.jsonl', rows: async function* () { yield* bad; }, count: async () => 1 };
    await expect(new SkillsEvaluator(skillsEvaluatorOptionsSchema.parse({ models: ['teacher'] }), context).doEvaluate({ outputDir: context.workDir, input })).rejects.toThrow(
      'row "x1" of /data/eval.jsonl is not a skills-task instruction',
    );
  });

  it('declares the models it needs', () => {
    const definition = plugin.provides.find((entry) => entry.id === 'eval') as unknown as { teacherNeeds(options: unknown): unknown };
    expect(definition.teacherNeeds(skillsEvaluatorOptionsSchema.parse({ models: { student: 'student-kd', teacher: 'teacher' } }))).toEqual([
      { reference: 'student-kd', path: 'with.models.student' },
      { reference: 'teacher', path: 'with.models.teacher' },
    ]);
  });
});
