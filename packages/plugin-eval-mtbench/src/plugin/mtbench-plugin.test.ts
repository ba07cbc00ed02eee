import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateManifest, type ChatMessageV1 } from '@easydistill/core';
import { createScriptedTeacher, createTestContext, describeEvaluatorConformance } from '@easydistill/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { MT_BENCH_QUESTIONS, mtbenchEvaluator, renderJudgePrompt, MT_BENCH_REFERENCE_ANSWERS, temperatureForCategory } from '../index';

describeEvaluatorConformance({ plugin, componentId: 'mtbench/run', options: { models: ['student'], judge: 'judge' } });

/** A scripted model: its answer names the model, the question's first words and the turn. */
const answerOf = (model: string) => (messages: ChatMessageV1[]) => `  [${model}] turn ${(messages.length + 1) / 2}: ${messages.at(-1)!.content.slice(0, 24)}  `;

/**
 * A scripted judge that reads the rendered prompt: the teacher gets 9 on every turn; the student
 * gets (question_id mod 10) + 1, written as "[n]" on turn 2; question 83 turn 2 of the student gets
 * no rating at all (dropped, as FastChat drops −1).
 */
function judge(messages: ChatMessageV1[]): string {
  const user = messages[1]!.content;
  const teacher = user.includes('[teacher]');
  const turn2 = user.includes("<|The Start of Assistant A's Conversation with User|>");
  const question = MT_BENCH_QUESTIONS.find((entry) => user.includes(entry.turns[0]!))!;
  if (teacher) return 'Good. Rating: [[9]]';
  if (question.question_id === 83 && turn2) return 'I cannot rate this.';
  const rating = (question.question_id % 10) + 1;
  return turn2 ? `Fine. Rating: [${rating}]` : `Fine. Rating: [[${rating}]]`;
}

describe('mtbench/run', () => {
  it('is a valid plugin manifest with the evaluator and the eval mtbench command', () => {
    const manifest = validateManifest(plugin.name, plugin);
    expect(manifest.namespace).toBe('mtbench');
    expect(plugin.commands?.map((command) => command.name)).toEqual(['eval mtbench']);
    expect(mtbenchEvaluator.teacherNeeds?.(mtbenchEvaluator.optionsSchema.parse({ models: { teacher: 'gpt', student: './out/model' }, judge: 'gpt-4' }))).toEqual([
      { reference: 'gpt', path: 'with.models.teacher' },
      { reference: './out/model', path: 'with.models.student' },
      { reference: 'gpt-4', path: 'with.judge' },
    ]);
    expect(mtbenchEvaluator.optionsSchema.safeParse({ models: ['a'], judge: 'j', temperature: 1 }).success).toBe(false);
  });

  it('answers two turns per question, grades each turn, scores and compares two models, and resumes', async () => {
    const teacher = createScriptedTeacher({ modelId: 'teacher-model', respond: answerOf('teacher') });
    const student = createScriptedTeacher({ modelId: 'student-model', respond: answerOf('student') });
    const judgeTeacher = createScriptedTeacher({ modelId: 'judge-model', respond: judge });
    const context = createTestContext({ teachers: { teacher, student, judge: judgeTeacher }, seed: 5 });
    const options = mtbenchEvaluator.optionsSchema.parse({ models: { teacher: 'teacher', student: 'student' }, judge: 'judge', limit: 24 });
    const outputDir = join(context.workDir, 'mtbench');
    const evaluator = await mtbenchEvaluator.create({ options, context });
    const result = await evaluator.doEvaluate({ outputDir });

    const questions = MT_BENCH_QUESTIONS.slice(0, 24);
    expect(student.calls).toBe(48);
    expect(judgeTeacher.calls).toBe(96);
    // Temperatures by category (greedy below 1e-4, sampled with the run's seed), 1,024 tokens; turn 2 carries the history.
    for (const request of student.requests) {
      const question = questions.find((entry) => entry.turns[0] === request.messages[0]!.content)!;
      const temperature = temperatureForCategory(question.category);
      expect(request.maxTokens).toBe(1024);
      expect(request.temperature).toBe(temperature);
      expect(request.seed).toBe(temperature > 0 ? 5 : undefined);
      if (request.messages.length === 3) {
        expect(request.messages[1]).toEqual({ role: 'assistant', content: answerOf('student')(request.messages.slice(0, 1)).trim() });
        expect(request.messages[2]).toEqual({ role: 'user', content: question.turns[1] });
      }
    }
    expect(new Set(student.requests.map((request) => request.temperature))).toEqual(new Set([0.7, 0]));
    // The judge gets FastChat's messages byte for byte: reference-guided for reasoning (questions 101–104 here).
    const answers = readFileSync(join(outputDir, 'model_answer', 'student.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(answers).toHaveLength(24);
    expect(answers[0]).toMatchObject({ question_id: 81, model_id: 'student', choices: [{ index: 0, turns: [expect.stringMatching(/^\[student\] turn 1/), expect.stringMatching(/^\[student\] turn 2/)] }] });
    const reasoning = questions.find((question) => question.question_id === 101)!;
    const expectedPrompt = renderJudgePrompt(reasoning, answers.find((answer) => answer.question_id === 101), 2, MT_BENCH_REFERENCE_ANSWERS.find((answer) => answer.question_id === 101));
    expect(expectedPrompt.promptName).toBe('single-math-v1-multi-turn');
    expect(judgeTeacher.requests.some((request) => JSON.stringify(request.messages) === JSON.stringify(expectedPrompt.messages))).toBe(true);
    expect(judgeTeacher.requests.every((request) => request.temperature === 0 && request.maxTokens === 2048 && request.messages[0]!.role === 'system')).toBe(true);

    // Scores computed independently of the scorer.
    const ratings = questions.flatMap((question) => [1, 2].map((turn) => (question.question_id === 83 && turn === 2 ? null : (question.question_id % 10) + 1)));
    const valid = ratings.filter((rating): rating is number => rating !== null);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(result.benchmark).toBe('mt_bench');
    expect(result.metrics.teacher).toEqual({ score: 9, turn_1: 9, turn_2: 9, n: 48, n_invalid: 0 });
    expect(result.metrics.student!.score).toBeCloseTo(mean(valid), 12);
    expect(result.metrics.student!.turn_1).toBeCloseTo(mean(questions.map((question) => (question.question_id % 10) + 1)), 12);
    expect(result.metrics.student).toMatchObject({ n: 47, n_invalid: 1 });
    const writing = questions.filter((question) => question.category === 'writing').map((question) => (question.question_id % 10) + 1);
    const writingTurns = writing.flatMap((rating, index) => (questions[index]!.question_id === 83 ? [rating] : [rating, rating]));
    expect(result.categories?.student?.writing).toBeCloseTo(mean(writingTurns), 12);
    expect(Object.keys(result.categories!.student!)).toEqual(['writing', 'roleplay', 'reasoning']);

    // Comparison table: teacher and student side by side, with the difference.
    const lines = result.table.split('\n');
    expect(lines[0]).toBe('| MT-Bench (1–10) | teacher | student | student − teacher |');
    expect(lines[2]).toBe(`| MT-Bench score | 9.00 | ${mean(valid).toFixed(2)} | ${(mean(valid) - 9).toFixed(2)} |`);
    expect(readFileSync(join(outputDir, 'table.md'), 'utf8')).toBe(`${result.table}\n`);
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ benchmark: 'mt_bench', questions: 24, judge: { reference: 'judge', model: 'judge-model', name: 'judge-model' } });
    expect(summary.comparison.at(-1)).toEqual({ category: 'overall', scores: { teacher: 9, student: result.metrics.student!.score }, difference: result.metrics.student!.score! - 9 });
    const judgments = readFileSync(join(outputDir, 'model_judgment', 'judge-model_single.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(judgments).toHaveLength(96);
    expect(judgments.find((record) => record.model === 'student' && record.question_id === 83 && record.turn === 2)).toMatchObject({ score: -1, judge: ['judge-model', 'single-v1-multi-turn'] });
    const items = readFileSync(join(outputDir, 'items.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(items).toHaveLength(96);
    expect(items.find((item) => item.model === 'student' && item.question_id === 101 && item.turn === 1)).toMatchObject({
      category: 'reasoning',
      question: reasoning.turns[0],
      judge_prompt: 'single-math-v1',
      score: 2,
    });
    expect(context.logs.some((log) => log.level === 'warn' && log.message.includes('1 judgments without a rating'))).toBe(true);

    // A second run reuses the answers on disk: no model call; the judge is asked again.
    const again = await (await mtbenchEvaluator.create({ options, context })).doEvaluate({ outputDir });
    expect(student.calls).toBe(48);
    expect(teacher.calls).toBe(48);
    expect(again.metrics).toEqual(result.metrics);
  });

  it('resumes from the answers an interrupted run appended, asking only for the missing ones', async () => {
    const student = createScriptedTeacher({ respond: answerOf('student') });
    const judgeTeacher = createScriptedTeacher({ respond: judge });
    const context = createTestContext({ teachers: { student, judge: judgeTeacher } });
    const outputDir = join(context.workDir, 'mtbench');
    mkdirSync(join(outputDir, 'model_answer'), { recursive: true });
    const earlier = [84, 81, 83].map((id) => ({ question_id: id, model_id: 'student', choices: [{ index: 0, turns: [`earlier ${id} a`, `earlier ${id} b`] }] }));
    writeFileSync(join(outputDir, 'model_answer', 'student.jsonl'), earlier.map((answer) => JSON.stringify(answer)).join('\n'));
    const options = mtbenchEvaluator.optionsSchema.parse({ models: { student: 'student' }, judge: 'judge', limit: 6 });
    await (await mtbenchEvaluator.create({ options, context })).doEvaluate({ outputDir });
    expect(student.calls).toBe(6); // questions 82, 85, 86: two turns each
    expect(new Set(student.requests.map((request) => request.messages[0]!.content))).toEqual(new Set([82, 85, 86].map((id) => MT_BENCH_QUESTIONS.find((question) => question.question_id === id)!.turns[0])));
    const answers = readFileSync(join(outputDir, 'model_answer', 'student.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((answer) => answer.question_id)).toEqual([81, 82, 83, 84, 85, 86]);
    expect(answers[0].choices[0].turns).toEqual(['earlier 81 a', 'earlier 81 b']);
    expect(judgeTeacher.requests.some((request) => request.messages[1]!.content.includes('earlier 83 b'))).toBe(true);
  });

  it('fails with the cause when every judge call fails, and when no judgment holds a rating', async () => {
    const student = createScriptedTeacher({ respond: answerOf('student') });
    const broken = createScriptedTeacher({
      respond: () => {
        throw new Error('401 invalid api key');
      },
    });
    const chatty = createScriptedTeacher({ respond: () => 'Looks fine to me.' });
    const options = mtbenchEvaluator.optionsSchema.parse({ models: ['student'], judge: 'judge', limit: 2 });
    const context = createTestContext({ teachers: { student, judge: broken } });
    await expect((await mtbenchEvaluator.create({ options, context })).doEvaluate({ outputDir: join(context.workDir, 'a') })).rejects.toThrow(
      /Every call for the judgments of student .* failed \(4\); first error: 401 invalid api key/,
    );
    const second = createTestContext({ teachers: { student, judge: chatty } });
    await expect((await mtbenchEvaluator.create({ options, context: second })).doEvaluate({ outputDir: join(second.workDir, 'b') })).rejects.toThrow(
      /No judgment of student holds a rating/,
    );
  });
});
