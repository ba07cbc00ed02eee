import type { ServedToken } from './served-model';

/** One entry of OpenAI's chat `logprobs.content`, plus the token ids (`id`, an easydistill extension). */
export interface ChatLogprobEntry {
  token: string;
  id: number;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; id: number; logprob: number; bytes: number[] }>;
}

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

/** `tokens` → chat-style logprob entries with `topLogprobs` alternatives each. */
export function chatLogprobEntries(tokens: readonly ServedToken[], topLogprobs: number): ChatLogprobEntry[] {
  return tokens.map((token) => ({
    token: token.text,
    id: token.id,
    logprob: token.logprob ?? 0,
    bytes: bytesOf(token.text),
    top_logprobs: token.top.slice(0, topLogprobs).map((top) => ({ token: top.text, id: top.id, logprob: top.logprob, bytes: bytesOf(top.text) })),
  }));
}

/**
 * OpenAI's legacy completions `logprobs` object (tokens, token_logprobs, top_logprobs as
 * token→logprob maps, text_offset), with `content` added: the same tokens in the chat shape with
 * ids, since a map keyed by token text loses ids and collapses tokens that decode alike.
 */
export function completionLogprobs(tokens: readonly ServedToken[], textOffsets: readonly number[], topLogprobs: number): Record<string, unknown> {
  return {
    tokens: tokens.map((token) => token.text),
    token_logprobs: tokens.map((token) => token.logprob),
    top_logprobs: tokens.map((token) => {
      if (token.logprob === null) return null;
      const map: Record<string, number> = {};
      for (const top of token.top.slice(0, topLogprobs)) if (!(top.text in map)) map[top.text] = top.logprob;
      return map;
    }),
    text_offset: [...textOffsets],
    content: tokens.map((token) => ({
      token: token.text,
      id: token.id,
      logprob: token.logprob,
      top_logprobs: token.top.slice(0, topLogprobs).map((top) => ({ token: top.text, id: top.id, logprob: top.logprob })),
    })),
  };
}
