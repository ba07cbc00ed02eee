import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALPACA_EVAL_CLF_TEMPLATE, WEIGHTED_ALPACA_EVAL_GPT4_TURBO } from './judge-prompt-template';
import { chatmlToMessages, fillJudgeTemplate, renderJudgeMessages } from './render-judge-prompt';

const fixtures = new URL('../__fixtures__/', import.meta.url);

describe('judge prompt', () => {
  it('is the official alpaca_eval_clf.txt byte for byte', () => {
    expect(ALPACA_EVAL_CLF_TEMPLATE).toBe(readFileSync(new URL('evaluator/alpaca_eval_clf.txt', fixtures), 'utf8'));
  });

  it('uses the judge settings of the official configs.yaml', () => {
    const config = parse(readFileSync(new URL('evaluator/weighted_alpaca_eval_gpt4_turbo.configs.yaml', fixtures), 'utf8'))
      .weighted_alpaca_eval_gpt4_turbo;
    expect(config.completions_kwargs).toEqual({
      model_name: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.judgeModel,
      max_tokens: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.maxTokens,
      temperature: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.temperature,
      logprobs: true,
      top_logprobs: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.topLogprobs,
    });
    expect(config.completion_parser_kwargs).toEqual({
      numerator_token: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.numeratorToken,
      denominator_tokens: [...WEIGHTED_ALPACA_EVAL_GPT4_TURBO.denominatorTokens],
      is_binarize: false,
    });
  });

  it('fills the first occurrence of each placeholder with the raw value', () => {
    const filled = fillJudgeTemplate('Say $& and $1 {x}', 'first "output"', 'second\n\nline');
    expect(filled).toContain('"instruction": """Say $& and $1 {x}""",');
    expect(filled).toContain('"model_identifier": "m",\n        "output": """first "output""""');
    expect(filled).toContain('"model_identifier": "M",\n        "output": """second\n\nline"""');
    // The literal braces of the pseudo-JSON stay.
    expect(filled).toContain('{\n    {\n        "model_identifier"');
  });

  it('fills in order, so a placeholder inside the instruction is replaced first (as upstream)', () => {
    const filled = fillJudgeTemplate('Repeat {output_1}', 'A', 'B');
    expect(filled).toContain('"instruction": """Repeat A""",');
    expect(filled).toContain('"output": """{output_1}"""');
  });

  it('converts to a system and a user message, stripped like Python', () => {
    const messages = renderJudgeMessages('What is 2+2?', '4', 'Four.');
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(messages[0].content).toBe(
      'You are a highly efficient assistant, who evaluates and selects the best large language model (LLMs) based on the quality of their responses to a given instruction. This process will be used to create a leaderboard reflecting the most accurate and human-preferred answers.',
    );
    expect(messages[1].content.startsWith("I require a leaderboard for various large language models. I'll provide")).toBe(true);
    expect(messages[1].content.endsWith('m or M.\n\n## Best Model Identifier')).toBe(true);
    expect(messages[1].content).toContain('"instruction": """What is 2+2?""",');
  });

  it('rejects text that is not ChatML', () => {
    expect(() => chatmlToMessages('hello')).toThrow(/must start with <\|im_start\|>/);
    expect(() => chatmlToMessages('<|im_start|>tool\nx<|im_end|>')).toThrow(/role "tool"/);
  });
});
