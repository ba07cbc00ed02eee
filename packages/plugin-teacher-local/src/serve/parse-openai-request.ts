import type { ChatMessageV1 } from '@easydistill/core';
import { OpenAIHttpError } from './openai-http-error';
import type { ServedGenerateRequest } from './served-model';

type Body = Record<string, unknown>;

/** OpenAI's limit on `top_logprobs` (chat) and `logprobs` (completions); a server may be started with more. */
export const OPENAI_MAX_TOP_LOGPROBS = 20;

function invalid(param: string, message: string): never {
  throw new OpenAIHttpError(400, `${param}: ${message}`, 'invalid_request_error', param);
}

function numberParam(body: Body, param: string, fallback: number, min: number, max: number): number {
  const value = body[param];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) invalid(param, `expected a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

function integerParam(body: Body, param: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) invalid(param, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value as number;
}

function stopParam(body: Body): string[] {
  const value = body.stop;
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > 4 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    invalid('stop', 'expected a non-empty string or an array of at most 4 of them');
  }
  return list as string[];
}

/** Reads `messages` (content as a string or an array of text parts). */
export function parseMessages(value: unknown, param: string): ChatMessageV1[] {
  if (!Array.isArray(value) || value.length === 0) invalid(param, 'expected a non-empty array of messages');
  return (value as unknown[]).map((message, index) => {
    const at = `${param}[${index}]`;
    if (typeof message !== 'object' || message === null) invalid(at, 'expected an object with role and content');
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') invalid(`${at}.role`, `expected system, developer, user or assistant, got ${JSON.stringify(role)}`);
    let text: string;
    if (typeof content === 'string') text = content;
    else if (Array.isArray(content)) {
      text = content
        .map((part, partIndex) => {
          if (typeof part !== 'object' || part === null || (part as { type?: unknown }).type !== 'text' || typeof (part as { text?: unknown }).text !== 'string') {
            invalid(`${at}.content[${partIndex}]`, 'only text parts ({ "type": "text", "text": … }) are supported');
          }
          return (part as { text: string }).text;
        })
        .join('');
    } else invalid(`${at}.content`, 'expected a string or an array of text parts');
    return { role: role === 'developer' ? 'system' : role, content: text };
  });
}

/** Sampling fields shared by both endpoints. `defaultMaxTokens`: 16 for completions (as OpenAI), the server's default for chat. */
export function parseSampling(body: Body, defaultMaxTokens: number, contextLength = 1 << 20): Omit<ServedGenerateRequest, 'prompt' | 'topLogprobs'> {
  const maxTokens = integerParam(body, 'max_completion_tokens', undefined, 0, contextLength) ?? integerParam(body, 'max_tokens', defaultMaxTokens, 0, contextLength)!;
  const topK = integerParam(body, 'top_k', undefined, -1, 1 << 20);
  const seed = integerParam(body, 'seed', undefined, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return {
    n: integerParam(body, 'n', 1, 1, 128)!,
    temperature: numberParam(body, 'temperature', 1, 0, 2),
    topP: numberParam(body, 'top_p', 1, Number.MIN_VALUE, 1),
    ...(topK === undefined || topK <= 0 ? {} : { topK }),
    maxTokens,
    stop: stopParam(body),
    ...(seed === undefined ? {} : { seed }),
  };
}

/**
 * `/v1/chat/completions` body → a generation request. `maxTopLogprobs`: the most `top_logprobs` a
 * request may ask for (20, OpenAI's limit, unless the server was started with more).
 */
export function parseChatRequest(body: Body, defaultMaxTokens: number, contextLength?: number, maxTopLogprobs = OPENAI_MAX_TOP_LOGPROBS): { request: ServedGenerateRequest; logprobs: boolean; stream: boolean; includeUsage: boolean } {
  const messages = parseMessages(body.messages, 'messages');
  const logprobs = body.logprobs === true;
  if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean') invalid('logprobs', 'expected a boolean');
  const topLogprobs = integerParam(body, 'top_logprobs', 0, 0, maxTopLogprobs)!;
  if (topLogprobs > 0 && !logprobs) invalid('top_logprobs', 'logprobs must be true when top_logprobs is set');
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  return {
    request: { prompt: { messages }, topLogprobs, ...parseSampling(body, defaultMaxTokens, contextLength) },
    logprobs,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
  };
}

/** `/v1/completions` body. `prefix_messages` (extension): chat messages the prompt continues after the generation prompt. */
export function parseCompletionRequest(body: Body, contextLength?: number, maxTopLogprobs = OPENAI_MAX_TOP_LOGPROBS): {
  prompts: string[];
  prefixMessages?: ChatMessageV1[];
  echo: boolean;
  logprobs: number | undefined;
  sampling: Omit<ServedGenerateRequest, 'prompt' | 'topLogprobs'>;
} {
  const prompt = body.prompt;
  let prompts: string[];
  if (typeof prompt === 'string') prompts = [prompt];
  else if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((item) => typeof item === 'string')) prompts = prompt as string[];
  else invalid('prompt', 'expected a string or a non-empty array of strings (token-id prompts are not supported)');
  if (body.stream === true) invalid('stream', 'streaming is supported on /v1/chat/completions only');
  const prefixMessages = body.prefix_messages === undefined || body.prefix_messages === null ? undefined : parseMessages(body.prefix_messages, 'prefix_messages');
  return {
    prompts,
    ...(prefixMessages ? { prefixMessages } : {}),
    echo: body.echo === true,
    logprobs: integerParam(body, 'logprobs', undefined, 0, maxTopLogprobs),
    sampling: parseSampling(body, 16, contextLength),
  };
}
