import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { loadPretrained, type Pretrained } from '../load-pretrained';
import type { LoadedTensor } from '../safetensors/safetensors-file';
import { FIXTURES, loadReference, MODELS } from '../test-support/reference';
import { generate } from './generate';
import { scoreTopK, scoreTopKBatch } from './score-top-k';

describe.each(['cpu', 'wasm'] as const)('generation and scoring on %s', (backend) => {
  beforeAll(async () => {
    expect(await initBackend(backend)).toBe(backend);
  });

  describe.each(MODELS)('%s', (modelName) => {
    let loaded: Pretrained;
    let reference: Map<string, LoadedTensor>;
    const prompt = (chat: number) => Array.from(reference.get(`ids_${chat}`)!.data);

    beforeAll(async () => {
      loaded = await loadPretrained(`${FIXTURES}${modelName}`);
      reference = await loadReference(modelName);
    });
    afterAll(() => loaded.model.dispose());

    it('reproduces the 16-token greedy continuations, one by one and as a left-padded batch', async () => {
      const { model, tokenizer } = loaded;
      const expected = [0, 1, 2].map((chat) => Array.from(reference.get(`greedy_${chat}`)!.data));
      const before = tf.memory().numTensors;
      const single = await generate(model, tokenizer, [prompt(0)], { maxTokens: 16, eosTokenIds: [] });
      expect(single[0].tokenIds).toEqual(expected[0]);
      expect(single[0].finishReason).toBe('length');
      const batch = await generate(model, tokenizer, [0, 1, 2].map(prompt), { maxTokens: 16, eosTokenIds: [] });
      expect(batch.map((result) => result.tokenIds)).toEqual(expected);
      expect(batch[2].text).toBe(tokenizer.decode(expected[2], { skipSpecialTokens: true }));
      expect(tf.memory().numTensors).toBe(before);
    });

    it('scores a response with the reference top-10 log-probabilities in one pass', async () => {
      const { model } = loaded;
      for (const chat of [0, 2]) {
        const ids = prompt(chat);
        const split = Math.floor(ids.length / 2);
        const scored = await scoreTopK(model, ids.slice(0, split), ids.slice(split), 10);
        expect(scored).toHaveLength(ids.length - split);
        const topIds = reference.get(`top10_ids_${chat}`)!.data;
        const topLogprobs = reference.get(`top10_logprobs_${chat}`)!.data;
        scored.forEach((token, index) => {
          const position = split - 1 + index;
          expect(token.id).toBe(ids[split + index]);
          expect(token.top.map((entry) => entry.id)).toEqual(Array.from(topIds.slice(position * 10, position * 10 + 10)));
          token.top.forEach((entry, rank) => expect(Math.abs(entry.logprob - topLogprobs[position * 10 + rank])).toBeLessThan(1e-4));
          const inTop = token.top.find((entry) => entry.id === token.id);
          if (inTop) expect(token.logprob).toBeCloseTo(inTop.logprob, 5);
        });
      }
      const batched = await scoreTopKBatch(model, [{ prompt: prompt(0).slice(0, 5), response: prompt(0).slice(5) }, { prompt: prompt(1).slice(0, 9), response: prompt(1).slice(9, 20) }], 3);
      const alone = await scoreTopK(model, prompt(1).slice(0, 9), prompt(1).slice(9, 20), 3);
      batched[1].forEach((token, index) => expect(Math.abs(token.logprob - alone[index].logprob)).toBeLessThan(1e-5));
    });
  });
});

describe('sampling, stops and logprobs (wasm)', () => {
  let loaded: Pretrained;
  beforeAll(async () => {
    await initBackend('wasm');
    loaded = await loadPretrained(`${FIXTURES}tiny-qwen2`);
  });
  afterAll(() => loaded.model.dispose());

  it('with a seed per prompt, samples each prompt as it would alone, whatever shares its batch', async () => {
    const { model, tokenizer } = loaded;
    const chat = (content: string) => tokenizer.encodeChat([{ role: 'user', content }], { addGenerationPrompt: true });
    const prompts = [chat('Write a poem.'), chat('Hi'), chat('Tell me a long story about the sea.')];
    const options = { maxTokens: 10, temperature: 1, eosTokenIds: [] };
    const together = await generate(model, tokenizer, prompts, { ...options, seeds: [11, 22, 33] });
    for (const [index, seed] of [11, 22, 33].entries()) {
      const [alone] = await generate(model, tokenizer, [prompts[index]!], { ...options, seeds: [seed] });
      expect(together[index]!.tokenIds, `prompt ${index}`).toEqual(alone!.tokenIds);
      // One stream per prompt with a single prompt is the same stream as `seed`.
      expect((await generate(model, tokenizer, [prompts[index]!], { ...options, seed }))[0]!.tokenIds).toEqual(alone!.tokenIds);
    }
    const other = await generate(model, tokenizer, [prompts[0]!, prompts[0]!], { ...options, seeds: [11, 12] });
    expect(other[0]!.tokenIds).toEqual(together[0]!.tokenIds);
    expect(other[1]!.tokenIds).not.toEqual(other[0]!.tokenIds);
    await expect(generate(model, tokenizer, prompts, { ...options, seeds: [1] })).rejects.toThrow(/1 seeds for 3 prompts/);
  });

  it('reports up to the whole distribution per token (top-50, full vocabulary), beyond OpenAI\'s 20', async () => {
    const { model, tokenizer } = loaded;
    const vocab = model.config.vocabSize;
    const prompts = [tokenizer.encodeChat([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true })];
    const [ten] = await generate(model, tokenizer, prompts, { maxTokens: 4, eosTokenIds: [], topLogprobs: 10 });
    const [fifty] = await generate(model, tokenizer, prompts, { maxTokens: 4, eosTokenIds: [], topLogprobs: 50 });
    const [full] = await generate(model, tokenizer, prompts, { maxTokens: 4, eosTokenIds: [], topLogprobs: vocab + 100 });
    expect(full!.tokenIds).toEqual(ten!.tokenIds);
    full!.logprobs!.forEach((step, position) => {
      expect(fifty!.logprobs![position]!.top).toHaveLength(50);
      expect(step.top).toHaveLength(vocab); // asked for more than the vocabulary: all of it
      expect(new Set(step.top.map((entry) => entry.id)).size).toBe(vocab);
      // The whole distribution sums to 1, descending, and starts as the top-10 and top-50 do.
      expect(Math.log(step.top.reduce((sum, entry) => sum + Math.exp(entry.logprob), 0))).toBeCloseTo(0, 5);
      step.top.slice(1).forEach((entry, rank) => expect(entry.logprob).toBeLessThanOrEqual(step.top[rank]!.logprob));
      expect(step.top.slice(0, 10)).toEqual(ten!.logprobs![position]!.top);
      expect(step.top.slice(0, 50)).toEqual(fifty!.logprobs![position]!.top);
    });
  });

  it('is reproducible with a seed, honours top-k 1 as greedy, stop strings and eos', async () => {
    const { model, tokenizer } = loaded;
    const prompts = [tokenizer.encodeChat([{ role: 'user', content: 'Write a poem.' }], { addGenerationPrompt: true })];
    const options = { maxTokens: 12, temperature: 0.9, topP: 0.95, seed: 7, eosTokenIds: [] };
    const first = await generate(model, tokenizer, prompts, options);
    const second = await generate(model, tokenizer, prompts, options);
    expect(second[0].tokenIds).toEqual(first[0].tokenIds);
    const greedy = await generate(model, tokenizer, prompts, { maxTokens: 12, eosTokenIds: [] });
    const topOne = await generate(model, tokenizer, prompts, { maxTokens: 12, temperature: 1.5, topK: 1, seed: 3, eosTokenIds: [] });
    expect(topOne[0].tokenIds).toEqual(greedy[0].tokenIds);
    // Stop at the text of the 4th greedy token: the text is cut before it.
    const stopText = tokenizer.decode(greedy[0].tokenIds.slice(3, 4));
    const stopped = await generate(model, tokenizer, prompts, { maxTokens: 12, stop: [stopText], eosTokenIds: [] });
    expect(stopped[0].finishReason).toBe('stop');
    expect(stopped[0].text).toBe(tokenizer.decode(greedy[0].tokenIds, { skipSpecialTokens: true }).split(stopText)[0]);
    // Treat the 3rd greedy token as eos: it ends generation and stays in tokenIds, not in text.
    const eos = greedy[0].tokenIds[2];
    const ended = await generate(model, tokenizer, prompts, { maxTokens: 12, eosTokenIds: [eos], topLogprobs: 3 });
    expect(ended[0].tokenIds).toEqual(greedy[0].tokenIds.slice(0, greedy[0].tokenIds.indexOf(eos) + 1));
    expect(ended[0].finishReason).toBe('stop');
    const logprobs = ended[0].logprobs!;
    expect(logprobs).toHaveLength(ended[0].tokenIds.length);
    for (const step of logprobs) {
      expect(step.top).toHaveLength(3);
      expect(step.top[0].id).toBe(step.id); // greedy picks the top token
      expect(step.logprob).toBeLessThanOrEqual(0);
    }
  });
});
