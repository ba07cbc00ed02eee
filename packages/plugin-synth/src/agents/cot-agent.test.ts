import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { cotAgentDefinition, cotAgentOptionsSchema } from './cot-agent';

const LONG = '<|begin_of_thought|>\n\nFirst, 2 + 2.\n\nHmm, let me double-check by counting: 1, 2, 3, 4.\n\nYes, 4.\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\n\\boxed{4}\n\n<|end_of_solution|>';

describe('synth/cot', () => {
  it('generates a thought/solution trace and formats it as markers or <think>', async () => {
    const markers = await setup({}, () => LONG);
    const row = (await markers.agent.doProcess({ id: 'q', instruction: 'What is 2 + 2?' })).outputs[0]!.row;
    expect(row.output).toMatch(/^<\|begin_of_thought\|>\n\nFirst, 2 \+ 2\.[\s\S]*<\|begin_of_solution\|>\n\n\\boxed\{4\}\n\n<\|end_of_solution\|>$/);
    expect(row.meta).toMatchObject({ cot: { mode: 'generate', thoughtChars: expect.any(Number) } });
    expect(userText(markers.teacher.calls[0]!)).toContain('Question:\nWhat is 2 + 2?');
    const think = await setup({ format: 'think' }, () => '<thinking>2 + 2 = 4</thinking><answer>4</answer>');
    expect((await think.agent.doProcess({ id: 'q', instruction: 'What is 2 + 2?' })).outputs[0]!.row.output).toBe('<think>\n2 + 2 = 4\n</think>\n\n4');
  });

  it('long-to-short keeps the answer and must shorten the thought; short-to-long must lengthen it', async () => {
    const row = { id: 'q', instruction: 'What is 2 + 2?', output: LONG };
    const short = '<|begin_of_thought|>2 + 2 = 4.<|end_of_thought|><|begin_of_solution|>\\boxed{4}<|end_of_solution|>';
    const shortened = await (await setup({ mode: 'long-to-short' }, () => short)).agent.doProcess(row);
    expect(shortened.outputs[0]!.row.meta).toMatchObject({ cot: { mode: 'long-to-short', thoughtChars: 10 } });
    const notShorter = await (await setup({ mode: 'long-to-short' }, () => LONG)).agent.doProcess(row);
    expect(notShorter.rejected![0]!.reason).toMatch(/not shorter/);
    const wrong = await (await setup({ mode: 'long-to-short' }, () => short.replace('{4}', '{5}'))).agent.doProcess(row);
    expect(wrong.rejected![0]!.reason).toMatch(/"5" differs from the original "4"/);
    const lengthened = await (await setup({ mode: 'short-to-long' }, () => LONG)).agent.doProcess({ ...row, output: short });
    expect(lengthened.outputs).toHaveLength(1);
    const notLonger = await (await setup({ mode: 'short-to-long' }, () => short)).agent.doProcess({ ...row, output: short });
    expect(notLonger.rejected![0]!.reason).toMatch(/not longer/);
  });

  it('rejects a reply with no solution part, keeping the raw text, and rewriting modes need an output', async () => {
    const { agent } = await setup({}, () => '<|begin_of_thought|>thinking forever');
    const result = await agent.doProcess({ id: 'q', instruction: 'Hard question' });
    expect(result.rejected![0]).toMatchObject({ reason: expect.stringMatching(/lacks a thought and a solution/), raw: '<|begin_of_thought|>thinking forever' });
    const rewrite = await setup({ mode: 'short-to-long' }, () => LONG);
    expect((await rewrite.agent.doProcess({ id: 'q', instruction: 'x' })).rejected![0]!.reason).toMatch(/needs the reasoning/);
  });
});

async function setup(options: Record<string, unknown>, reply: (prompt: string) => string) {
  const teacher = scriptedTeacher((request) => reply(userText(request)));
  const agent = await cotAgentDefinition.create({ options: cotAgentOptionsSchema.parse({ teacher: 'teacher', ...options }), context: testContext({ teacher }) });
  return { agent, teacher };
}
