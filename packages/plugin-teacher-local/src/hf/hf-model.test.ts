import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServedGeneration, ServedGenerateRequest } from '../serve/served-model';
import { HfModel } from './hf-model';

// Seeded sampled requests decode together in one batch (each sequence has its own random stream),
// and each answers as it does alone: the batch a request lands in does not change its answer.
const fixture = fileURLToPath(new URL('../__fixtures__/tiny-qwen2', import.meta.url));
const request = (content: string, extra: Partial<ServedGenerateRequest> = {}): ServedGenerateRequest => ({
  prompt: { messages: [{ role: 'user', content }] }, n: 1, temperature: 0.9, topP: 0.95, maxTokens: 8, stop: [], topLogprobs: 0, ...extra,
});
const ids = (generation: ServedGeneration | Error) => (generation as ServedGeneration).choices.map((choice) => choice.tokens.map((token) => token.id));

let model: HfModel;
beforeAll(async () => {
  model = await HfModel.load(fixture, { backend: 'cpu' });
});
afterAll(async () => {
  await model?.close();
});

describe('HfModel seeded sampling in batches', () => {
  it('answers each seeded request in a batch as it answers it alone, n choices included', async () => {
    const batch = [request('one', { seed: 1 }), request('two, a longer prompt than the others', { seed: 2, n: 2 }), request('three', { seed: 3 })];
    const together = await model.generateBatch(batch);
    for (const [index, entry] of batch.entries()) {
      const [alone] = await model.generateBatch([entry]);
      expect(ids(together[index]!), `request ${index}`).toEqual(ids(alone!));
    }
    const [first, second] = ids(together[1]!);
    expect(first).not.toEqual(second);
    const [again] = await model.generateBatch([request('one', { seed: 1 })]);
    const [otherSeed] = await model.generateBatch([request('one', { seed: 99 })]);
    expect(ids(again!)).toEqual(ids(together[0]!));
    expect(ids(otherSeed!)).not.toEqual(ids(again!));
  });
});
