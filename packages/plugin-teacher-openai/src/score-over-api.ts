import type { TeacherV1ScoreRequest, TokenLogprobV1, UsageV1 } from '@easydistill/core';
import { parseLogprobContent, parseUsage } from './parse-openai-response';
import { MalformedResponseError, NotJsonResponseError } from './retry-policy';

/**
 * White-box scoring over the legacy completions API, as `easydistill serve` implements it:
 * `prompt` is the response text, `prefix_messages` (an extension) the chat it answers, rendered by
 * the server with its own chat template and generation prompt; `echo` + `logprobs: k` +
 * `max_tokens: 0` return the teacher-forced log-probabilities of exactly the response tokens.
 * The server confirms it understood the extension with `prefix_messages_tokens` in the body, and
 * lists the token ids in `choices[0].logprobs.content[].id`; an endpoint that ignores the
 * extension (it would score the response without its prompt) fails the check and is not used.
 */
export function scoreRequestBody(model: string, request: Pick<TeacherV1ScoreRequest, 'messages' | 'response' | 'topK'>): Record<string, unknown> {
  return {
    model,
    prompt: request.response,
    prefix_messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    echo: true,
    logprobs: request.topK,
    max_tokens: 0,
    temperature: 0,
  };
}

/** Reads a scoring answer; throws MalformedResponseError when it lacks what scoring needs. */
export function parseScoreCompletion(body: unknown): { tokens: TokenLogprobV1[]; usage: UsageV1; model?: string } {
  if (typeof body === 'string') throw new NotJsonResponseError(body);
  const record = body as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null) throw new MalformedResponseError('malformed response: the body should be a JSON object');
  if (!Number.isInteger(record.prefix_messages_tokens)) {
    throw new MalformedResponseError('the endpoint ignored prefix_messages (no prefix_messages_tokens in the answer): it cannot score a response under a chat prompt');
  }
  const choices = record.choices;
  if (!Array.isArray(choices) || choices.length !== 1) throw new MalformedResponseError('malformed response: choices should hold exactly one choice');
  const logprobs = (choices[0] as Record<string, unknown>).logprobs as Record<string, unknown> | undefined;
  if (!logprobs || typeof logprobs !== 'object') throw new MalformedResponseError('malformed response: choices[0].logprobs is missing');
  const tokens = parseLogprobContent(logprobs.content, 'choices[0].logprobs.content');
  tokens.forEach((token, index) => {
    if (token.id === undefined) throw new MalformedResponseError(`malformed response: choices[0].logprobs.content[${index}] has no token id`);
  });
  return { tokens, usage: parseUsage(record.usage), ...(typeof record.model === 'string' ? { model: record.model } : {}) };
}
