import { randomUUID } from 'node:crypto';
import { completionLogprobs } from './format-logprobs';
import { parseCompletionRequest } from './parse-openai-request';
import { requestKey } from './chat-completions-route';
import type { ServedGeneration, ServedGenerateRequest, ServedModel, ServedScore, ServedScoreRequest, ServedToken } from './served-model';

interface Engine {
  generate(request: ServedGenerateRequest): Promise<ServedGeneration>;
  score(request: ServedScoreRequest): Promise<ServedScore>;
}

/**
 * `/v1/completions`. With `echo` and `logprobs: k` the prompt's tokens are scored under teacher
 * forcing (the first one has no log-probability unless `prefix_messages` gives it a context);
 * `max_tokens: 0` scores without generating. `prefix_messages` (extension) is a chat rendered with
 * the model's chat template and generation prompt that the prompt continues; the answer then
 * carries `prefix_messages_tokens`.
 */
export async function handleCompletions(body: Record<string, unknown>, model: ServedModel, engine: Engine, maxTopLogprobs?: number): Promise<{ key: string; answer: Record<string, unknown> }> {
  const parsed = parseCompletionRequest(body, model.contextLength, maxTopLogprobs);
  const wantLogprobs = parsed.logprobs !== undefined;
  const topLogprobs = parsed.logprobs ?? 0;
  const choices: Array<Record<string, unknown>> = [];
  let promptTokens = 0;
  let completionTokens = 0;
  let prefixTokens = 0;
  for (const prompt of parsed.prompts) {
    const scored = parsed.echo && wantLogprobs ? await engine.score({ ...(parsed.prefixMessages ? { prefixMessages: parsed.prefixMessages } : {}), text: prompt, topK: topLogprobs }) : undefined;
    const generated = parsed.sampling.maxTokens > 0
      ? await engine.generate({ prompt: { ...(parsed.prefixMessages ? { messages: parsed.prefixMessages } : {}), text: prompt }, topLogprobs, ...parsed.sampling })
      : undefined;
    if (scored) prefixTokens = scored.prefixTokens;
    promptTokens += generated?.promptTokens ?? (scored ? scored.prefixTokens + scored.tokens.length : 0);
    for (let index = 0; index < parsed.sampling.n; index += 1) {
      const choice = generated?.choices[index];
      const tokens: ServedToken[] = [];
      const offsets: number[] = [];
      let text = '';
      if (parsed.echo) {
        text = prompt;
        if (scored) {
          tokens.push(...scored.tokens);
          offsets.push(...scored.textOffsets);
        }
      }
      if (choice) {
        let offset = text.length;
        choice.tokens.forEach((token, position) => {
          tokens.push(token);
          offsets.push(offset);
          offset += (choice.deltas[position] ?? '').length;
        });
        text += choice.text;
        completionTokens += choice.tokens.length;
      }
      choices.push({
        text,
        index: choices.length,
        logprobs: wantLogprobs ? completionLogprobs(tokens, offsets, topLogprobs) : null,
        finish_reason: choice?.finishReason ?? 'length',
      });
    }
  }
  const answer: Record<string, unknown> = {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: model.modelId,
    choices,
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
  if (parsed.prefixMessages) answer.prefix_messages_tokens = prefixTokens;
  return { key: requestKey('/v1/completions', parsed as unknown as Record<string, unknown>), answer };
}
