import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from './openai-http-error';
import { chatLogprobEntries } from './format-logprobs';
import type { ServedGeneration, ServedGenerateRequest } from './served-model';

/** Writes a chat completion answer (one JSON body). */
export function sendChatCompletion(response: ServerResponse, model: string, generation: ServedGeneration, logprobs: boolean, topLogprobs: number): void {
  const completionTokens = generation.choices.reduce((sum, choice) => sum + choice.tokens.length, 0);
  sendJson(response, 200, {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: generation.choices.map((choice, index) => ({
      index,
      message: { role: 'assistant', content: choice.text, refusal: null },
      logprobs: logprobs ? { content: chatLogprobEntries(choice.tokens, topLogprobs), refusal: null } : null,
      finish_reason: choice.finishReason,
    })),
    usage: { prompt_tokens: generation.promptTokens, completion_tokens: completionTokens, total_tokens: generation.promptTokens + completionTokens },
  });
}

/**
 * Writes a chat completion as server-sent events in OpenAI's chunk format: a role chunk per
 * choice, one chunk per token (with its logprobs when asked), a finish chunk per choice, the usage
 * chunk when `stream_options.include_usage`, then `data: [DONE]`.
 */
export function streamChatCompletion(
  response: ServerResponse,
  model: string,
  generation: ServedGeneration,
  options: { logprobs: boolean; topLogprobs: number; includeUsage: boolean },
): void {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
    response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
  };
  generation.choices.forEach((choice, index) => {
    send([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    choice.tokens.forEach((token, position) => {
      const logprobs = options.logprobs ? { content: chatLogprobEntries([token], options.topLogprobs), refusal: null } : null;
      send([{ index, delta: { content: choice.deltas[position] ?? '' }, logprobs, finish_reason: null }]);
    });
    send([{ index, delta: {}, logprobs: null, finish_reason: choice.finishReason }]);
  });
  if (options.includeUsage) {
    const completionTokens = generation.choices.reduce((sum, choice) => sum + choice.tokens.length, 0);
    send([], { usage: { prompt_tokens: generation.promptTokens, completion_tokens: completionTokens, total_tokens: generation.promptTokens + completionTokens } });
  }
  response.end('data: [DONE]\n\n');
}

/** Canonical text of a request for the duplicate-answer counter (stream flags excluded). */
export function requestKey(path: string, request: ServedGenerateRequest | Record<string, unknown>): string {
  return `${path} ${canonicalJson(request)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
