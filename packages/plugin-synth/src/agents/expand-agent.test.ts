import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { expandAgentDefinition, expandAgentOptionsSchema, parseItems } from './expand-agent';

describe('synth/expand', () => {
  it('expands a seed in rounds, avoids topics already produced, and records lineage', async () => {
    const { agent, teacher } = await setup({ rounds: 2, n: 2 }, (prompt, call) =>
      call === 0
        ? '<item><topic>Prime numbers</topic><instruction>List the primes below 50.</instruction></item>\n<item><topic>Fibonacci</topic><instruction>Write the first 10 Fibonacci numbers.</instruction></item>'
        : // Round 2 repeats a topic (must be skipped) and adds a new one.
          '<item><topic>prime numbers</topic><instruction>Is 97 prime?</instruction></item><item><topic>Triangles</topic><instruction>State the Pythagorean theorem.</instruction></item>',
    );
    const result = await agent.doProcess({ id: 'seed-1', instruction: 'Explain what an even number is.' });
    expect(result.rejected ?? []).toEqual([]);
    expect(result.outputs.map((output) => output.row)).toEqual([
      { id: 'seed-1/0', instruction: 'List the primes below 50.', meta: { seedId: 'seed-1', round: 0, topic: 'Prime numbers' } },
      { id: 'seed-1/1', instruction: 'Write the first 10 Fibonacci numbers.', meta: { seedId: 'seed-1', round: 0, topic: 'Fibonacci' } },
      { id: 'seed-1/2', instruction: 'State the Pythagorean theorem.', meta: { seedId: 'seed-1', round: 1, topic: 'Triangles' } },
    ]);
    expect(userText(teacher.calls[0]!)).toContain('(none yet)');
    expect(userText(teacher.calls[1]!)).toMatch(/- Prime numbers\n- Fibonacci/);
    expect(userText(teacher.calls[0]!)).toContain('Explain what an even number is.');
    expect(teacher.calls[0]!.seed).not.toBe(teacher.calls[1]!.seed);
  });

  it('draws in-context examples deterministically from the examples file, and retries an unparseable round with a new seed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'expand-'));
    writeFileSync(join(folder, 'pool.jsonl'), ['Write a haiku about rain.', 'Summarise the French revolution.', 'Sort a list in Python.'].map((text) => JSON.stringify({ instruction: text })).join('\n'));
    const replies = ['I cannot comply in tags, sorry', '<item><topic>Poetry</topic><instruction>Write a limerick about cats.</instruction></item>'];
    const { agent, teacher } = await setup({ inContext: 3, examples: 'pool.jsonl', roundRetries: 1, n: 1 }, (_, call) => replies[call]!, folder);
    const result = await agent.doProcess({ id: 's', instruction: 'Write a poem.' });
    expect(result.outputs).toHaveLength(1);
    expect(teacher.calls).toHaveLength(2);
    expect(teacher.calls[0]!.seed).not.toBe(teacher.calls[1]!.seed);
    const examples = /Examples:\n([\s\S]*?)\n\n/.exec(userText(teacher.calls[0]!))![1]!.split('\n');
    expect(examples).toHaveLength(3);
    expect(examples[0]).toBe('1. Write a poem.');
    const again = await setup({ inContext: 3, examples: 'pool.jsonl', roundRetries: 1, n: 1 }, (_, call) => replies[call]!, folder);
    await again.agent.doProcess({ id: 's', instruction: 'Write a poem.' });
    expect(userText(again.teacher.calls[0]!)).toBe(userText(teacher.calls[0]!));
  });

  it('rejects a seed whose every reply fails to parse, keeping the raw text', async () => {
    const { agent } = await setup({ roundRetries: 0 }, () => 'Here are some ideas: 1. foo 2. bar');
    const result = await agent.doProcess({ id: 'x', instruction: 'Seed' });
    expect(result.outputs).toEqual([]);
    expect(result.rejected![0]).toMatchObject({ reason: expect.stringMatching(/no <item>/), raw: 'Here are some ideas: 1. foo 2. bar' });
    const lenient = await setup({ roundRetries: 0, acceptUntagged: true }, () => ' Plan a picnic for six people. ');
    const taken = await lenient.agent.doProcess({ id: 'x', instruction: 'Seed' });
    expect(taken.outputs.map((output) => output.row)).toEqual([{ id: 'x/0', instruction: 'Plan a picnic for six people.', meta: { seedId: 'x', round: 0, topic: 'Plan a picnic for six people.', untagged: true } }]);
  });

  it('parses bare <instruction> and v1 <answer> replies, and refuses an override prompt with unknown placeholders', async () => {
    expect(parseItems('<instruction>Do A</instruction> <answer>Do B</answer>').map((item) => item.instruction)).toEqual(['Do A', 'Do B']);
    const folder = mkdtempSync(join(tmpdir(), 'expand-prompt-'));
    writeFileSync(join(folder, 'bad.md'), 'Seed: {{seed}} and {{sede}}');
    await expect(setup({ prompt: 'bad.md' }, () => '', folder)).rejects.toThrow(/unknown placeholder\(s\) \{\{sede\}\}/);
  });
});

async function setup(options: Record<string, unknown>, reply: (prompt: string, call: number) => string, recipeDir = process.cwd()) {
  const teacher = scriptedTeacher((request, call) => reply(userText(request), call));
  const parsed = expandAgentOptionsSchema.parse({ teacher: 'teacher', ...options });
  const agent = await expandAgentDefinition.create({ options: parsed, context: testContext({ teacher }, { recipeDir }) });
  return { agent, teacher };
}
