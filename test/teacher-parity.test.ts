import { fileURLToPath } from 'node:url';
import type { ChatMessageV1, TeacherV1Response, TokenLogprobV1 } from '@easydistill/core';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';
import { HfModel, LocalTeacher, startServer } from '@easydistill/plugin-teacher-local';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

// plugin-teacher-openai against `easydistill serve` on loopback, compared with plugin-teacher-local
// in process, on both fixture models (random weights, so any plumbing error shows).
const fixtures = (name: string) => fileURLToPath(new URL(`../packages/plugin-teacher-local/src/__fixtures__/${name}`, import.meta.url));
const prompts: ChatMessageV1[][] = [
  [{ role: 'user', content: 'Write a poem about the sea.' }],
  [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is 2 + 2?' }],
  [{ role: 'user', content: 'Name three colours.' }, { role: 'assistant', content: 'Red, green, blue.' }, { role: 'user', content: 'Two more?' }],
  [{ role: 'user', content: 'Ünïcödé and emoji 🌊 please' }],
];
const responses = ['The sea is wide and deep.', '4', 'Yellow and 紫 purple 🌊.'];

function expectTokensClose(http: TokenLogprobV1[], local: TokenLogprobV1[]): void {
  expect(http.map((token) => token.id)).toEqual(local.map((token) => token.id));
  expect(http.map((token) => token.token)).toEqual(local.map((token) => token.token));
  http.forEach((token, index) => {
    const expected = local[index]!;
    expect(Math.abs(token.logprob - expected.logprob)).toBeLessThanOrEqual(1e-4);
    expect(token.top.map((top) => top.id)).toEqual(expected.top.map((top) => top.id));
    token.top.forEach((top, rank) => expect(Math.abs(top.logprob - expected.top[rank]!.logprob)).toBeLessThanOrEqual(1e-4));
  });
}

describe.each(['tiny-qwen2', 'tiny-llama'])('teacher-openai over easydistill serve vs teacher-local in process (%s)', (name) => {
  it('greedy completions identical, top_logprobs and scores within 1e-4, the openai SDK streams', async () => {
    const model = await HfModel.load(fixtures(name), { backend: 'cpu' });
    const server = await startServer({ model });
    try {
      const local = new LocalTeacher('teacher-local/hf', model);
      const remote = new OpenAIChatTeacher({ model: name, baseURL: server.baseURL, concurrency: 4, timeoutMs: 30_000 }, { env: () => undefined });

      const capabilities = await remote.doCapabilities();
      expect(capabilities).toEqual({ logprobs: true, maxTopLogprobs: 20, score: true, tokenizerId: (await local.doCapabilities()).tokenizerId });

      // Greedy generation with 5 alternatives per token, all prompts at once (batched on the server).
      const request = (messages: ChatMessageV1[]) => ({ messages, maxTokens: 12, temperature: 0, topLogprobs: 5 });
      const [overHttp, inProcess] = await Promise.all([
        Promise.all(prompts.map((messages) => remote.doGenerate(request(messages)))),
        Promise.all(prompts.map((messages) => local.doGenerate(request(messages)))),
      ]);
      overHttp.forEach((answer: TeacherV1Response, index) => {
        const expected = inProcess[index]!;
        expect(answer.choices.map((choice) => choice.text)).toEqual(expected.choices.map((choice) => choice.text));
        expect(answer.choices[0]!.finishReason).toBe(expected.choices[0]!.finishReason);
        expect(answer.usage).toEqual(expected.usage);
        expectTokensClose(answer.choices[0]!.logprobs!, expected.choices[0]!.logprobs!);
      });

      // Seeded sampling with n = 2 reproduces too (each sampled sequence draws from its own seeded stream, in any batch).
      const sampled = { messages: prompts[0]!, n: 2, temperature: 0.9, topP: 0.95, seed: 11, maxTokens: 8 };
      expect((await remote.doGenerate(sampled)).choices.map((choice) => choice.text)).toEqual((await local.doGenerate(sampled)).choices.map((choice) => choice.text));

      // White-box scoring over HTTP (completions echo + logprobs) equals in-process scoring.
      for (const [index, response] of responses.entries()) {
        const score = { messages: prompts[index]!, response, topK: 8 };
        const [http, inside] = await Promise.all([remote.doScore(score), local.doScore(score)]);
        expect(http.tokens.length).toBeGreaterThan(0);
        expectTokensClose(http.tokens, inside.tokens);
        expect(http.usage.promptTokens).toBe(inside.usage.promptTokens);
      }

      // The openai SDK itself, streaming: same text as the teacher's greedy answer.
      const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: name, messages: prompts[3]!, max_tokens: 12, temperature: 0, stream: true, logprobs: true, top_logprobs: 2 });
      let text = '';
      const streamedIds: number[] = [];
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        for (const entry of chunk.choices[0]?.logprobs?.content ?? []) streamedIds.push((entry as unknown as { id: number }).id);
      }
      expect(text).toBe(inProcess[3]!.choices[0]!.text);
      expect(streamedIds).toEqual(inProcess[3]!.choices[0]!.logprobs!.map((token) => token.id));
      expect(server.stats().duplicateAnswers).toBe(0);
    } finally {
      await server.close();
      await model.close();
    }
  });
});
