import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HfModel } from '../hf/hf-model';
import { LocalTeacher } from '../local-teacher';
import { startServer, type RunningServer } from './start-server';

const fixture = fileURLToPath(new URL('../__fixtures__/tiny-qwen2', import.meta.url));
const messages = [{ role: 'user' as const, content: 'Write a poem about the sea.' }];

let model: HfModel;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  model = await HfModel.load(fixture, { backend: 'cpu' });
  server = await startServer({ model, apiKey: 'test-key', bodyLimitBytes: 64 * 1024 });
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test-key', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await model?.close();
});

describe('easydistill serve (HTTP layer over tiny-qwen2)', () => {
  it('binds 127.0.0.1 and lists the model with its tokenizer id', async () => {
    expect(server.host).toBe('127.0.0.1');
    const list = await client.models.list();
    expect(list.data.map((entry) => entry.id)).toEqual(['tiny-qwen2']);
    expect((list.data[0] as unknown as { tokenizer_id: string }).tokenizer_id).toBe(model.tokenizerId);
  });

  it('answers greedy chat completions exactly as the in-process teacher, with top logprobs', async () => {
    const local = await new LocalTeacher('teacher-local/hf', model).doGenerate({ messages, maxTokens: 12, temperature: 0, topLogprobs: 3 });
    const answer = await client.chat.completions.create({ model: 'tiny-qwen2', messages, max_tokens: 12, temperature: 0, logprobs: true, top_logprobs: 3 });
    expect(answer.choices[0]!.message.content).toBe(local.choices[0]!.text);
    expect(answer.usage).toMatchObject({ prompt_tokens: local.usage.promptTokens, completion_tokens: local.usage.completionTokens });
    const served = answer.choices[0]!.logprobs!.content!;
    expect(served).toHaveLength(local.choices[0]!.logprobs!.length);
    served.forEach((entry, index) => {
      const expected = local.choices[0]!.logprobs![index]!;
      expect(entry.token).toBe(expected.token);
      expect((entry as unknown as { id: number }).id).toBe(expected.id);
      expect(entry.logprob).toBeCloseTo(expected.logprob, 6);
      expect(entry.top_logprobs.map((top) => top.logprob)).toEqual(expected.top.map((top) => top.logprob));
    });
  });

  it('caps top_logprobs at OpenAI\'s 20 unless started with more; then returns up to the whole distribution, as in process', async () => {
    const vocab = model.vocabSize;
    expect(await new LocalTeacher('teacher-local/hf', model).doCapabilities()).toMatchObject({ maxTopLogprobs: vocab });
    const refused = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-qwen2', messages, max_tokens: 2, logprobs: true, top_logprobs: 21 }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string; message: string } }).error).toMatchObject({ param: 'top_logprobs', message: expect.stringMatching(/from 0 to 20/) });
    const wide = await startServer({ model, maxTopLogprobs: 100_000 });
    try {
      const wideClient = new OpenAI({ baseURL: wide.baseURL, apiKey: 'none', maxRetries: 0 });
      const answer = await wideClient.chat.completions.create({ model: 'tiny-qwen2', messages, max_tokens: 3, temperature: 0, logprobs: true, top_logprobs: vocab + 7 });
      const local = await new LocalTeacher('teacher-local/hf', model).doGenerate({ messages, maxTokens: 3, temperature: 0, topLogprobs: vocab + 7 });
      answer.choices[0]!.logprobs!.content!.forEach((entry, index) => {
        const ids = entry.top_logprobs.map((top) => (top as unknown as { id: number }).id);
        expect(ids).toHaveLength(vocab);
        expect(new Set(ids).size).toBe(vocab);
        expect(ids).toEqual(local.choices[0]!.logprobs![index]!.top.map((top) => top.id));
        expect(Math.log(entry.top_logprobs.reduce((sum, top) => sum + Math.exp(top.logprob), 0))).toBeCloseTo(0, 4);
      });
    } finally {
      await wide.close();
    }
  });

  it('streams server-sent events whose deltas join to the same text and end with data: [DONE]', async () => {
    const whole = await client.chat.completions.create({ model: 'tiny-qwen2', messages, max_tokens: 12, temperature: 0 });
    const stream = await client.chat.completions.create({ model: 'tiny-qwen2', messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);
    const raw = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-qwen2', messages, max_tokens: 3, temperature: 0, stream: true }),
    });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    expect((await raw.text()).endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('scores with completions echo + logprobs, equal to in-process scoring', async () => {
    const local = await new LocalTeacher('teacher-local/hf', model).doScore({ messages, response: 'The sea is deep.', topK: 5 });
    const answer = (await client.completions.create({
      model: 'tiny-qwen2', prompt: 'The sea is deep.', echo: true, logprobs: 5, max_tokens: 0,
      prefix_messages: messages,
    } as never)) as unknown as { prefix_messages_tokens: number; choices: Array<{ text: string; logprobs: { tokens: string[]; token_logprobs: number[]; text_offset: number[]; content: Array<{ id: number; logprob: number; top_logprobs: Array<{ id: number; logprob: number }> }> } }> };
    expect(answer.prefix_messages_tokens).toBeGreaterThan(0);
    const choice = answer.choices[0]!;
    expect(choice.text).toBe('The sea is deep.');
    expect(choice.logprobs.tokens.join('')).toBe('The sea is deep.');
    expect(choice.logprobs.text_offset[0]).toBe(0);
    expect(choice.logprobs.content.map((entry) => entry.id)).toEqual(local.tokens.map((token) => token.id));
    choice.logprobs.content.forEach((entry, index) => {
      expect(Math.abs(entry.logprob - local.tokens[index]!.logprob)).toBeLessThan(1e-9);
      expect(entry.top_logprobs.map((top) => top.id)).toEqual(local.tokens[index]!.top.map((top) => top.id));
    });
    // Without a chat prefix the first token has nothing to condition on: null, as OpenAI echoes it.
    const bare = (await client.completions.create({ model: 'tiny-qwen2', prompt: 'The sea', echo: true, logprobs: 1, max_tokens: 0 })) as unknown as { choices: Array<{ logprobs: { token_logprobs: Array<number | null> } }> };
    expect(bare.choices[0]!.logprobs.token_logprobs[0]).toBeNull();
    expect(bare.choices[0]!.logprobs.token_logprobs.slice(1).every((value) => typeof value === 'number')).toBe(true);
  });

  it('batches concurrent clients into shared decoding batches', async () => {
    const before = server.stats().batchSizes.length;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => client.chat.completions.create({ model: 'tiny-qwen2', messages: [{ role: 'user', content: `Question ${index}` }], max_tokens: 4, temperature: 0 })));
    expect(answers).toHaveLength(8);
    const sizes = server.stats().batchSizes.slice(before);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(8);
    // A batch answers each request as it would alone.
    const alone = await client.chat.completions.create({ model: 'tiny-qwen2', messages: [{ role: 'user', content: 'Question 3' }], max_tokens: 4, temperature: 0 });
    expect(alone.choices[0]!.message.content).toBe(answers[3]!.choices[0]!.message.content);
  });

  it('answers a request repeated with the same Idempotency-Key once, replaying the answer to the repeats', async () => {
    const post = (key: string, body: unknown) =>
      fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const body = { model: 'tiny-qwen2', messages: [{ role: 'user', content: 'Idempotent?' }], max_tokens: 5, temperature: 0.8, seed: 3 };
    const before = server.stats();
    // The repeat arrives while the first is being decoded, and once more after it was answered.
    const [first, second] = await Promise.all([post('key-1', body), post('key-1', body)]);
    const third = await post('key-1', body);
    const texts = await Promise.all([first, second, third].map(async (response) => ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content));
    expect(new Set(texts).size).toBe(1);
    const after = server.stats();
    expect(after.answered - before.answered).toBe(1);
    expect(after.replayed - before.replayed).toBe(2);
    // The same key for a different request is refused; a new key is a new answer.
    const reused = await post('key-1', { ...body, seed: 4 });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    await (await post('key-2', body)).json();
    expect(server.stats().answered - after.answered).toBe(1);
  });

  it('answers errors in OpenAI JSON shape: key, model, parameters, route, body size', async () => {
    const call = async (path: string, body: unknown, key = 'test-key') => {
      const response = await fetch(`${server.baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
    };
    const wrongKey = await call('/chat/completions', { model: 'tiny-qwen2', messages }, 'nope');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('invalid_api_key');
    const unknownModel = await call('/chat/completions', { model: 'gpt-9', messages });
    expect(unknownModel).toMatchObject({ status: 404, body: { error: { code: 'model_not_found', param: 'model' } } });
    const badTemperature = await call('/chat/completions', { model: 'tiny-qwen2', messages, temperature: 7 });
    expect(badTemperature).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'temperature' } } });
    const topWithoutLogprobs = await call('/chat/completions', { model: 'tiny-qwen2', messages, top_logprobs: 2 });
    expect(topWithoutLogprobs.body.error.message).toMatch(/logprobs must be true/);
    const notJson = await call('/chat/completions', '{"model": ');
    expect(notJson.status).toBe(400);
    const tooBig = await call('/chat/completions', { model: 'tiny-qwen2', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] });
    expect(tooBig.status).toBe(413);
    const noRoute = await call('/embeddings', { model: 'tiny-qwen2' });
    expect(noRoute.status).toBe(404);
    await expect(new OpenAI({ baseURL: server.baseURL, apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
  });
});
