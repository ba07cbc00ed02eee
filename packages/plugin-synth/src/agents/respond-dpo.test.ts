import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenLogprobV1 } from '@easydistill/core';
import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { toPreferenceRecord, writePreferenceJsonl } from '../preference/preference-formats';
import { dpoPairsAgentDefinition, dpoPairsAgentOptionsSchema } from './dpo-pairs-agent';
import { respondAgentDefinition, respondAgentOptionsSchema } from './respond-agent';

const token = (id: number, alternatives: number[]): TokenLogprobV1 => ({
  token: `t${id}`,
  id,
  logprob: -0.1,
  top: alternatives.map((alternative, rank) => ({ token: `t${alternative}`, id: alternative, logprob: -0.1 - rank })),
});

describe('synth/respond', () => {
  it('answers with the teacher and returns top-k log-probabilities sorted, padded to k', async () => {
    const teacher = scriptedTeacher(() => ({ text: 'Paris.', finishReason: 'stop', logprobs: [token(5, [5, 9]), { ...token(6, [6, 7, 8]), top: [...token(6, [6, 7, 8]).top].reverse() }] }));
    const options = respondAgentOptionsSchema.parse({ teacher: 't', topLogprobs: 3, system: 'Be brief.' });
    expect(respondAgentDefinition.writesLogits!(options)).toBe(true);
    expect(respondAgentDefinition.teacherNeeds!(options)).toEqual([{ reference: 't', path: 'with.teacher', logprobs: true, topLogprobs: 3 }]);
    const agent = await respondAgentDefinition.create({ options, context: testContext({ t: teacher }) });
    const result = await agent.doProcess({ id: 'q1', instruction: 'Capital of France?' });
    expect(teacher.calls[0]).toMatchObject({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }], topLogprobs: 3 });
    const [output] = result.outputs;
    expect(output!.row).toMatchObject({ id: 'q1', output: 'Paris.', meta: { respond: { model: 'scripted-model', finishReason: 'stop', logitsTokens: 2, k: 3 } } });
    expect([...output!.logits!.tokenIds]).toEqual([5, 6]);
    expect([...output!.logits!.topIds]).toEqual([5, 9, -1, 6, 7, 8]);
    expect(output!.logits!.topLogprobs[2]).toBe(-Infinity);
    expect(output!.logits!.topLogprobs[3]).toBeCloseTo(-0.1);
  });

  it('keeps chat rows as chat, rejects truncated answers with the raw text, refuses teachers without token ids', async () => {
    const teacher = scriptedTeacher((request) => (userText(request) === 'long' ? { text: 'cut off', finishReason: 'length' } : 'Hi!'));
    const agent = await respondAgentDefinition.create({ options: respondAgentOptionsSchema.parse({ teacher: 't', rejectTruncated: true }), context: testContext({ t: teacher }) });
    const chat = await agent.doProcess({ id: 'c', messages: [{ role: 'user', content: 'hello' }] });
    expect(chat.outputs[0]!.row.messages).toEqual([{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'Hi!' }]);
    expect((await agent.doProcess({ id: 'l', instruction: 'long' })).rejected).toEqual([{ row: { id: 'l', instruction: 'long' }, reason: 'response stopped at maxTokens (2048)', raw: 'cut off' }]);
    const noIds = scriptedTeacher(() => ({ text: 'x', finishReason: 'stop', logprobs: [{ token: 'x', logprob: -1, top: [] }] }));
    const strict = await respondAgentDefinition.create({ options: respondAgentOptionsSchema.parse({ teacher: 't', topLogprobs: 2 }), context: testContext({ t: noIds }) });
    await expect(strict.doProcess({ id: 'n', instruction: 'q' })).rejects.toThrow(/without token ids/);
  });
});

describe('synth/dpo-pairs', () => {
  it('teacher-student: chosen is the row answer, rejected the student; identical answers are rejected', async () => {
    const student = scriptedTeacher((request) => (userText(request) === 'same' ? 'A' : 'a worse answer'), { modelId: 'student-model' });
    const teacher = scriptedTeacher(() => 'unused');
    const agent = await dpoPairsAgentDefinition.create({ options: dpoPairsAgentOptionsSchema.parse({ teacher: 't', student: 's' }), context: testContext({ t: teacher, s: student }) });
    const result = await agent.doProcess({ id: 'p', instruction: 'q', output: 'a good answer' });
    expect(result.outputs[0]!.row).toEqual({ id: 'p', instruction: 'q', chosen: 'a good answer', rejected: 'a worse answer', meta: { dpo: { mode: 'teacher-student', chosenFrom: 'row', rejectedFrom: 'student-model' } } });
    expect(teacher.calls).toHaveLength(0);
    expect((await agent.doProcess({ id: 'i', instruction: 'same', output: 'A' })).rejected![0]!.reason).toBe('chosen and rejected answers are identical');
    expect(() => dpoPairsAgentOptionsSchema.parse({ teacher: 't' })).toThrow(/teacher-student needs a student/);
  });

  it('best-of-n: the judge scores n candidates; best is chosen, worst rejected; a small margin or a bad judge reply rejects with the raw text', async () => {
    const teacher = scriptedTeacher(() => ['answer one', 'answer two', 'answer three']);
    const scores: Record<string, string> = { 'answer one': '<score>4</score>', 'answer two': '<score>8</score>', 'answer three': 'Score: 2' };
    const judge = scriptedTeacher((request) => scores[/Response:\n(.+)/.exec(userText(request))![1]!]!);
    const options = dpoPairsAgentOptionsSchema.parse({ teacher: 't', judge: 'j', mode: 'best-of-n', n: 3, minMargin: 1 });
    const agent = await dpoPairsAgentDefinition.create({ options, context: testContext({ t: teacher, j: judge }) });
    const result = await agent.doProcess({ id: 'b', instruction: 'q' });
    expect(result.outputs[0]!.row).toMatchObject({ chosen: 'answer two', rejected: 'answer three', meta: { dpo: { chosenScore: 8, rejectedScore: 2 } } });
    expect(teacher.calls[0]!.n).toBe(3);
    scores['answer two'] = '<score>3</score>';
    scores['answer one'] = '<score>3</score>';
    scores['answer three'] = '<score>3</score>';
    expect((await agent.doProcess({ id: 'm', instruction: 'q' })).rejected![0]!.reason).toBe('score margin 0 is not above minMargin 1 (chosen 3, rejected 3)');
    scores['answer one'] = 'great answer';
    expect((await agent.doProcess({ id: 'x', instruction: 'q' })).rejected![0]).toMatchObject({ reason: 'judge reply has no <score>0-9</score>', raw: 'great answer' });
  });

  it('exports pairs in Alpaca, ShareGPT and OpenAI preference layouts', async () => {
    const pair = { id: 'p', instruction: 'q', input: 'ctx', system: 'sys', chosen: 'good', rejected: 'bad' };
    expect(toPreferenceRecord(pair, 'alpaca')).toEqual({ instruction: 'q', input: 'ctx', chosen: 'good', rejected: 'bad', system: 'sys' });
    expect(toPreferenceRecord(pair, 'sharegpt')).toEqual({
      conversations: [{ from: 'system', value: 'sys' }, { from: 'human', value: 'q\n\nctx' }],
      chosen: { from: 'gpt', value: 'good' },
      rejected: { from: 'gpt', value: 'bad' },
    });
    expect(toPreferenceRecord({ id: 'c', messages: [{ role: 'user', content: 'hi' }], chosen: 'a', rejected: 'b' }, 'openai')).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      chosen: [{ role: 'assistant', content: 'a' }],
      rejected: [{ role: 'assistant', content: 'b' }],
    });
    expect(() => toPreferenceRecord({ id: 'z', instruction: 'q', output: 'x' }, 'alpaca')).toThrow(/row z is not a preference pair/);
    const path = join(mkdtempSync(join(tmpdir(), 'pref-')), 'out', 'pairs.jsonl');
    expect(await writePreferenceJsonl([pair, pair], path, 'sharegpt')).toBe(2);
    expect(readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line).chosen.value)).toEqual(['good', 'good']);
  });
});
