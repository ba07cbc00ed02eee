import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { rewriteAgentDefinition, rewriteAgentOptionsSchema } from './rewrite-agent';

describe('synth/rewrite', () => {
  it('paraphrases the instruction, keeps the id, drops the stale output and records the original', async () => {
    const { agent, teacher } = await setup({}, () => 'Sure!\n<rewritten>What is the capital city of France?</rewritten>');
    const result = await agent.doProcess({ id: 'r1', instruction: 'Name the capital of France.', output: 'Paris', meta: { seedId: 's' } });
    expect(result.outputs[0]!.row).toEqual({ id: 'r1', instruction: 'What is the capital city of France?', meta: { seedId: 's', rewrite: { mode: 'paraphrase', original: 'Name the capital of France.' } } });
    expect(userText(teacher.calls[0]!)).toContain('Name the capital of France.');
  });

  it('seeds the teacher per row, so a sampled rewrite is the same on every run and differs between rows', async () => {
    const { agent, teacher } = await setup({ temperature: 0.8 }, () => '<rewritten>x</rewritten>');
    await agent.doProcess({ id: 'a', instruction: 'One.' });
    await agent.doProcess({ id: 'b', instruction: 'One.' });
    const again = await setup({ temperature: 0.8 }, () => '<rewritten>x</rewritten>');
    await again.agent.doProcess({ id: 'a', instruction: 'One.' });
    expect(teacher.calls[0]!.seed).toEqual(expect.any(Number));
    expect(teacher.calls[0]!.seed).not.toBe(teacher.calls[1]!.seed);
    expect(again.teacher.calls[0]!.seed).toBe(teacher.calls[0]!.seed);
  });

  it('rewrites a response as chain-of-thought and rejects a rewrite that changes the final answer', async () => {
    const row = { id: 'm', instruction: 'What is 6 × 7?', output: 'The answer is 42.' };
    const good = await setup({ mode: 'cot' }, () => '<rewritten>We multiply 6 by 7.\n\n6 × 7 = 42.\n\nThe answer is \\boxed{42}.</rewritten>');
    const ok = await good.agent.doProcess(row);
    expect(ok.outputs[0]!.row.output).toContain('\\boxed{42}');
    expect(ok.outputs[0]!.row.meta).toEqual({ rewrite: { mode: 'cot', original: 'The answer is 42.' } });
    expect(userText(good.teacher.calls[0]!)).toContain('Original answer:\nThe answer is 42.');
    const bad = await setup({ mode: 'cot' }, () => '<rewritten>6 × 7 = 48, so \\boxed{48}.</rewritten>');
    const rejected = await bad.agent.doProcess(row);
    expect(rejected.outputs).toEqual([]);
    expect(rejected.rejected![0]!.reason).toMatch(/"48" differs from the original "42"/);
  });

  it('rejects a reply without <rewritten> tags, keeping the raw text', async () => {
    const { agent } = await setup({}, () => 'What is the capital city of France?');
    const result = await agent.doProcess({ id: 'r', instruction: 'Name the capital of France.' });
    expect(result.rejected![0]).toMatchObject({ reason: 'no <rewritten>…</rewritten> in the teacher reply', raw: 'What is the capital city of France?' });
    const lenient = await setup({ acceptUntagged: true }, () => '  What is the capital city of France?\n');
    const taken = await lenient.agent.doProcess({ id: 'r', instruction: 'Name the capital of France.' });
    expect(taken.outputs[0]!.row).toEqual({ id: 'r', instruction: 'What is the capital city of France?', meta: { rewrite: { mode: 'paraphrase', original: 'Name the capital of France.', untagged: true } } });
  });
});

async function setup(options: Record<string, unknown>, reply: (prompt: string) => string) {
  const teacher = scriptedTeacher((request) => reply(userText(request)));
  const agent = await rewriteAgentDefinition.create({ options: rewriteAgentOptionsSchema.parse({ teacher: 'teacher', ...options }), context: testContext({ teacher }) });
  return { agent, teacher };
}
