import type { TeacherV1Choice, TokenLogprobV1, UsageV1 } from '@easydistill/core';
import { MalformedResponseError, NotJsonResponseError } from './retry-policy';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, expected: string, value: unknown): never {
  const shown = value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 120);
  throw new MalformedResponseError(`malformed response: ${where} should be ${expected}, got ${shown}`);
}

function optionalId(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) fail(where, 'an integer token id', value);
  return value as number;
}

function finiteLogprob(value: unknown, where: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(where, 'a number', value);
  return value as number;
}

/**
 * Reads OpenAI's chat `logprobs.content` array (also used by `easydistill serve` inside completions
 * logprobs). The `id` fields are an `easydistill serve` extension; other endpoints leave them out.
 */
export function parseLogprobContent(content: unknown, where: string): TokenLogprobV1[] {
  if (!Array.isArray(content)) fail(where, 'an array', content);
  return (content as unknown[]).map((entry, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(entry)) fail(at, 'an object', entry);
    if (typeof entry.token !== 'string') fail(`${at}.token`, 'a string', entry.token);
    const tops = entry.top_logprobs ?? [];
    if (!Array.isArray(tops)) fail(`${at}.top_logprobs`, 'an array', tops);
    const id = optionalId(entry.id, `${at}.id`);
    return {
      token: entry.token as string,
      ...(id === undefined ? {} : { id }),
      logprob: finiteLogprob(entry.logprob, `${at}.logprob`),
      top: (tops as unknown[]).map((top, topIndex) => {
        const topAt = `${at}.top_logprobs[${topIndex}]`;
        if (!isObject(top) || typeof top.token !== 'string') fail(topAt, 'an object with a token string', top);
        const topId = optionalId(top.id, `${topAt}.id`);
        return { token: top.token as string, ...(topId === undefined ? {} : { id: topId }), logprob: finiteLogprob(top.logprob, `${topAt}.logprob`) };
      }),
    };
  });
}

/** Reads `usage` (absent on some servers: counted as 0). */
export function parseUsage(value: unknown): UsageV1 {
  if (value === undefined || value === null) return { promptTokens: 0, completionTokens: 0 };
  if (!isObject(value)) fail('usage', 'an object', value);
  const prompt = value.prompt_tokens ?? 0;
  const completion = value.completion_tokens ?? 0;
  if (!Number.isInteger(prompt)) fail('usage.prompt_tokens', 'an integer', prompt);
  if (!Number.isInteger(completion)) fail('usage.completion_tokens', 'an integer', completion);
  return { promptTokens: prompt as number, completionTokens: completion as number };
}

function finishReasonOf(value: unknown): TeacherV1Choice['finishReason'] {
  if (value === 'stop' || value === 'length') return value;
  return 'other';
}

/**
 * Validates a chat completion body and maps it to teacher choices. Throws MalformedResponseError
 * (the row is rejected with that message) for anything that is not a chat completion.
 */
export function parseChatCompletion(body: unknown, wantLogprobs: boolean): { choices: TeacherV1Choice[]; usage: UsageV1; model?: string } {
  if (typeof body === 'string') throw new NotJsonResponseError(body);
  if (!isObject(body)) fail('the body', 'a JSON object', body);
  if (!Array.isArray(body.choices) || body.choices.length === 0) fail('choices', 'a non-empty array', body.choices);
  const choices = (body.choices as unknown[]).map((choice, index): TeacherV1Choice & { index: number } => {
    const at = `choices[${index}]`;
    if (!isObject(choice)) fail(at, 'an object', choice);
    if (!isObject(choice.message)) fail(`${at}.message`, 'an object', choice.message);
    const content = choice.message.content ?? '';
    if (typeof content !== 'string') fail(`${at}.message.content`, 'a string', content);
    const result: TeacherV1Choice & { index: number } = {
      index: Number.isInteger(choice.index) ? (choice.index as number) : index,
      text: content as string,
      finishReason: finishReasonOf(choice.finish_reason),
    };
    if (wantLogprobs) {
      if (!isObject(choice.logprobs)) fail(`${at}.logprobs`, 'an object (log-probabilities were asked for)', choice.logprobs);
      result.logprobs = parseLogprobContent(choice.logprobs.content ?? [], `${at}.logprobs.content`);
    }
    return result;
  });
  choices.sort((a, b) => a.index - b.index);
  return {
    choices: choices.map(({ index: _index, ...choice }) => choice),
    usage: parseUsage(body.usage),
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
  };
}
