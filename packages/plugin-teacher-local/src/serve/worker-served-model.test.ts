import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HfModel } from '../hf/hf-model';
import type { ServedGenerateRequest } from './served-model';
import { startServer } from './start-server';
import { WorkerServedModel } from './worker-served-model';

// The model thread of `easydistill serve`: the model loaded and decoding in a worker thread (here
// from source, through tsx and the @easydistill/source condition) answers exactly as in process,
// and the HTTP thread answers requests while a batch decodes.
const fixture = fileURLToPath(new URL('../__fixtures__/tiny-qwen2', import.meta.url));
const messages = [{ role: 'user' as const, content: 'Write a poem about the sea.' }];
const request = (content: string, extra: Partial<ServedGenerateRequest> = {}): ServedGenerateRequest => ({
  prompt: { messages: [{ role: 'user', content }] }, n: 1, temperature: 0, topP: 1, maxTokens: 6, stop: [], topLogprobs: 2, ...extra,
});

let local: HfModel;
let worker: WorkerServedModel;

beforeAll(async () => {
  [local, worker] = await Promise.all([HfModel.load(fixture, { backend: 'cpu' }), WorkerServedModel.start(fixture, { backend: 'cpu' })]);
});

afterAll(async () => {
  await worker?.close();
  await local?.close();
});

describe('WorkerServedModel (serve decodes in a worker thread)', () => {
  it('lists the same model and answers batches and scores exactly as in process', async () => {
    expect({ id: worker.modelId, tokenizer: worker.tokenizerId, context: worker.contextLength }).toEqual({ id: local.modelId, tokenizer: local.tokenizerId, context: local.contextLength });
    const batch = [request('one'), request('two', { n: 2, temperature: 0.9, seed: 4 }), request('three', { maxTokens: 0 })];
    expect(await worker.generateBatch(batch)).toEqual(await local.generateBatch(batch));
    const score = { prefixMessages: messages, text: 'The sea is deep.', topK: 3 };
    expect(await worker.score(score)).toEqual(await local.score(score));
  });

  it('answers HTTP requests while a long batch decodes', async () => {
    const server = await startServer({ model: worker });
    try {
      const order: string[] = [];
      const chat = fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-qwen2', messages, max_tokens: 120, n: 4, temperature: 0 }),
      }).then(async (response) => {
        order.push(`chat ${response.status}`);
        return response.json();
      });
      // Once the batch is running on the model thread, ask for the model list: answered first.
      await expect.poll(() => server.stats().batchSizes.length, { timeout: 60_000 }).toBe(1);
      const models = await fetch(`${server.baseURL}/models`);
      order.push(`models ${models.status}`);
      await chat;
      expect(order).toEqual(['models 200', 'chat 200']);
    } finally {
      await server.close();
    }
  }, 240_000);

  it('rejects a model that cannot load with its error, and calls after close with a clear one', async () => {
    await expect(WorkerServedModel.start(fileURLToPath(new URL('../__fixtures__/no-such-model', import.meta.url)), { backend: 'cpu' })).rejects.toThrow(/no-such-model/);
    await worker.close();
    await expect(worker.generateBatch([request('late')])).rejects.toThrow(/model worker exited/);
  }, 180_000);
});
