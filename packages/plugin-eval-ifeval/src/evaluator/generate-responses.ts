import type { TeacherV1 } from '@easydistill/core';
import type { IfevalInput } from '../read-input-data';

/** Decoding of lm-eval's IFEval task: greedy, up to 1,280 new tokens, no stop sequences. */
export const IFEVAL_MAX_TOKENS = 1280;

/** Options of {@link generateIfevalResponses}. */
export interface GenerateIfevalResponsesOptions {
  /** Responses already generated, by prompt (resumed runs); these prompts are not asked again. */
  readonly existing?: ReadonlyMap<string, string>;
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Maximum new tokens. Default 1,280 (lm-eval). */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
  /** Called once per newly generated response, in completion order (append it to a file here). */
  readonly onResponse?: (prompt: string, response: string) => void | Promise<void>;
}

/**
 * Asks `model` for the answer to every IFEval prompt (a single user turn, temperature 0,
 * `maxTokens` 1,280) and returns the responses by prompt, including the `existing` ones.
 */
export async function generateIfevalResponses(
  model: TeacherV1,
  inputs: readonly IfevalInput[],
  options: GenerateIfevalResponsesOptions = {},
): Promise<Map<string, string>> {
  const responses = new Map(options.existing ?? []);
  const pending = inputs.filter((input) => !responses.has(input.prompt));
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      options.signal?.throwIfAborted();
      const input = pending[next]!;
      next += 1;
      const result = await model.doGenerate({
        messages: [{ role: 'user', content: input.prompt }],
        temperature: 0,
        maxTokens: options.maxTokens ?? IFEVAL_MAX_TOKENS,
        signal: options.signal,
      });
      const text = result.choices[0]?.text ?? '';
      responses.set(input.prompt, text);
      await options.onResponse?.(input.prompt, text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, () => worker()));
  return responses;
}
