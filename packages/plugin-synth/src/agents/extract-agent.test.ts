import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { extractAgentDefinition, extractAgentOptionsSchema, parsePairs } from './extract-agent';

describe('synth/extract', () => {
  it('extracts pairs from a document with ids derived from the document id', async () => {
    const { agent, teacher } = await setup({ maxPairs: 2 }, () =>
      '<pair><instruction>When was the bridge built?</instruction><response>In 1932.</response></pair>\n<pair><instruction>How long is it?</instruction><response>503 metres.</response></pair>\n<pair><instruction>Extra?</instruction><response>Cut by maxPairs.</response></pair>',
    );
    const result = await agent.doProcess({ id: 'doc7', text: 'The bridge, built in 1932, is 503 metres long.' });
    expect(result.outputs.map((output) => output.row)).toEqual([
      { id: 'doc7/0', instruction: 'When was the bridge built?', output: 'In 1932.', meta: { sourceId: 'doc7' } },
      { id: 'doc7/1', instruction: 'How long is it?', output: '503 metres.', meta: { sourceId: 'doc7' } },
    ]);
    expect(userText(teacher.calls[0]!)).toContain('up to 2 instruction/response pairs');
    expect(userText(teacher.calls[0]!)).toContain('503 metres long');
  });

  it('accepts v1-style tag sequences but never a pair whose response was cut off', () => {
    expect(parsePairs('<instruction>A?</instruction><response>a</response>\n<instruction>B?</instruction><response>b is cut')).toEqual([{ instruction: 'A?', response: 'a' }]);
  });

  it('rejects rows without a document and replies without pairs (raw kept)', async () => {
    const { agent } = await setup({}, () => 'No pairs here.');
    expect((await agent.doProcess({ id: 'd', meta: {} })).rejected![0]!.reason).toMatch(/no document text/);
    expect((await agent.doProcess({ id: 'd', content: 'Some text' })).rejected![0]).toMatchObject({ raw: 'No pairs here.' });
  });
});

async function setup(options: Record<string, unknown>, reply: (prompt: string) => string) {
  const teacher = scriptedTeacher((request) => reply(userText(request)));
  const agent = await extractAgentDefinition.create({ options: extractAgentOptionsSchema.parse({ teacher: 'teacher', ...options }), context: testContext({ teacher }) });
  return { agent, teacher };
}
