import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { annotatePair } from './annotate-pair';
import { parseLogprobPreference } from './parse-logprob-preference';
import type { ChatMessage } from './render-judge-prompt';

const fixtures = new URL('../__fixtures__/', import.meta.url);

interface OfficialAnnotation {
  instruction: string;
  output_1: string;
  output_2: string;
  generator_1: string;
  generator_2: string;
  preference: number;
  raw_completion?: { logprobs: { content: Array<{ top_logprobs: Array<{ token: string; logprob: number }> }> } } | null;
}

function load(name: string): OfficialAnnotation[] {
  return JSON.parse(readFileSync(new URL(`annotations/${name}.json`, fixtures), 'utf8'));
}

describe('parseLogprobPreference', () => {
  it('weights m against M and ignores other tokens', () => {
    expect(parseLogprobPreference([{ token: 'M', logprob: Math.log(0.75) }, { token: 'm', logprob: Math.log(0.25) }, { token: 'The', logprob: -1 }])).toBeCloseTo(1.75, 12);
    expect(parseLogprobPreference([{ token: 'm', logprob: -3 }])).toBe(1);
    expect(parseLogprobPreference([{ token: 'M', logprob: -3 }])).toBe(2);
    expect(parseLogprobPreference([{ token: ' m', logprob: -0.1 }, { token: 'Model', logprob: -2 }])).toBeNaN();
    expect(parseLogprobPreference([])).toBeNaN();
  });
});

describe('annotatePair on the official Qwen-14B-Chat annotations', () => {
  const rows = load('Qwen-14B-Chat');
  const byInstruction = new Map(rows.map((row) => [row.instruction, row]));

  it('reproduces every official preference through the rendered prompt, the order switch and the logprob parser', async () => {
    let judgeCalls = 0;
    // Scripted judge: answers with the official first-token top log-probabilities of that instruction,
    // after checking that the prompt shows the outputs in the order the official judge saw them.
    const judge = async (messages: ChatMessage[]) => {
      judgeCalls += 1;
      const user = messages[1].content;
      const instruction = user.slice(user.indexOf('"instruction": """') + 18, user.indexOf('""",\n}\n\n## Model Outputs'));
      const row = byInstruction.get(instruction);
      if (!row?.raw_completion) throw new Error(`unexpected judge call for ${instruction.slice(0, 40)}`);
      return row.raw_completion.logprobs.content[0].top_logprobs;
    };
    let switched = 0;
    for (const row of rows) {
      const annotation = await annotatePair(
        { instruction: row.instruction, baselineOutput: row.output_1, baselineGenerator: row.generator_1, modelOutput: row.output_2, modelGenerator: row.generator_2 },
        async (messages) => {
          const user = messages[1].content;
          const [shownAsM, shownAsCapitalM] = annotationOrder(user);
          const expected = expectedOrder(row);
          expect([shownAsM, shownAsCapitalM]).toEqual(expected);
          return judge(messages);
        },
      );
      if (annotation.is_switched_outputs) switched += 1;
      // The official file stores preferences rounded to 10 decimals.
      expect(Math.abs(annotation.preference - row.preference)).toBeLessThan(1e-9);
    }
    expect(judgeCalls).toBe(801);
    expect(switched).toBe(406);
  });

  it('gives 1.5 without a judge call for identical outputs', async () => {
    const identical = rows.filter((row) => row.output_1 === row.output_2);
    expect(identical).toHaveLength(4);
    for (const row of identical) {
      const annotation = await annotatePair(
        { instruction: row.instruction, baselineOutput: row.output_1, baselineGenerator: 'a', modelOutput: row.output_2, modelGenerator: 'b' },
        async () => {
          throw new Error('no judge call expected');
        },
      );
      expect(annotation.preference).toBe(1.5);
      expect(row.preference).toBe(1.5);
    }
  });

  it('gives NaN when the judge returns no m/M alternative', async () => {
    const row = rows[0];
    const annotation = await annotatePair(
      { instruction: row.instruction, baselineOutput: 'x', baselineGenerator: 'a', modelOutput: 'y', modelGenerator: 'b' },
      async () => [{ token: 'Output', logprob: -0.1 }],
    );
    expect(annotation.preference).toBeNaN();
  });
});

describe('the official FuseChat-Qwen-2.5-7B-Instruct annotations', () => {
  it('have no stored logprobs; identical outputs are the only rows decidable without a judge, and they are 1.5', async () => {
    const rows = load('FuseChat-Qwen-2.5-7B-Instruct');
    expect(rows).toHaveLength(805);
    expect(rows.every((row) => !row.raw_completion)).toBe(true);
    const identical = rows.filter((row) => row.output_1 === row.output_2);
    expect(identical).toHaveLength(1);
    const annotation = await annotatePair(
      { instruction: identical[0].instruction, baselineOutput: identical[0].output_1, baselineGenerator: 'a', modelOutput: identical[0].output_2, modelGenerator: 'b' },
      async () => {
        throw new Error('no judge call expected');
      },
    );
    expect(annotation.preference).toBe(identical[0].preference);
  });
});

function annotationOrder(user: string): [string, string] {
  const first = user.indexOf('"output": """') + 13;
  const firstEnd = user.indexOf('"""\n    },\n    {\n        "model_identifier": "M"', first);
  const second = user.indexOf('"output": """', firstEnd) + 13;
  const secondEnd = user.lastIndexOf('"""\n    }\n}\n\n## Task');
  return [user.slice(first, firstEnd), user.slice(second, secondEnd)];
}

/** The order the official judge saw: switched instructions show the model's output as `m`. */
function expectedOrder(row: OfficialAnnotation): [string, string] {
  return SWITCHED.has(row.instruction) ? [row.output_2, row.output_1] : [row.output_1, row.output_2];
}

const SWITCHED = (() => {
  const evalSet = JSON.parse(readFileSync(new URL('alpaca_eval_gpt4_baseline.json', fixtures), 'utf8')) as Array<{ instruction: string }>;
  const flags = (JSON.parse(readFileSync(new URL('switch_flags_seed0.json', fixtures), 'utf8')) as { is_switched: boolean[] }).is_switched;
  return new Set(evalSet.filter((_, index) => flags[index]).map((item) => item.instruction));
})();
