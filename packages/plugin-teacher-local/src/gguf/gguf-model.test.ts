import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { createTestContext } from '@easydistill/core/testing';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';
import { exportGguf } from '@easydistill/plugin-publisher-hf';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { ggufTeacher } from '../index';
import { HfModel } from '../hf/hf-model';
import { LocalTeacher } from '../local-teacher';
import { runServe } from '../serve/serve-command';
import type { RunningServer } from '../serve/start-server';
import type { ServedGeneration, ServedGenerateRequest, ServedToken } from '../serve/served-model';
import { GgufModel } from './gguf-model';

// The fixture checkpoints written as f32 GGUF by plugin-publisher-hf's exporter, run by llama.cpp
// (node-llama-cpp's prebuilt CPU binary) and compared with the same checkpoints in llm-tfjs.
// llama.cpp keeps its KV cache in f16, hence the 5e-3 tolerance on log-probabilities.
const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teacher-local-gguf-'));
const messages = [{ role: 'user' as const, content: 'Write a poem about the sea.' }];
const tolerance = 5e-3;

afterAll(() => rmSync(work, { recursive: true, force: true }));

function request(overrides: Partial<ServedGenerateRequest> = {}): ServedGenerateRequest {
  return { prompt: { messages }, n: 1, temperature: 0, topP: 1, maxTokens: 10, stop: [], topLogprobs: 5, ...overrides };
}

function expectClose(gguf: ServedToken[], hf: ServedToken[]): void {
  expect(gguf.map((token) => token.id)).toEqual(hf.map((token) => token.id));
  expect(gguf.map((token) => token.text)).toEqual(hf.map((token) => token.text));
  gguf.forEach((token, index) => {
    const expected = hf[index]!;
    if (expected.logprob === null) expect(token.logprob).toBeNull();
    else expect(Math.abs(token.logprob! - expected.logprob)).toBeLessThan(tolerance);
    // Alternatives: the same log-probability at every rank; near-ties (closer than the tolerance) may swap ids.
    expect(token.top).toHaveLength(expected.top.length);
    token.top.forEach((top, rank) => {
      expect(Math.abs(top.logprob - expected.top[rank]!.logprob)).toBeLessThan(tolerance);
      const same = expected.top.find((entry) => entry.id === top.id);
      if (same) expect(Math.abs(top.logprob - same.logprob)).toBeLessThan(tolerance);
      else expect(Math.abs(top.logprob - expected.top[expected.top.length - 1]!.logprob)).toBeLessThan(tolerance);
    });
  });
}

describe.each(['tiny-qwen2', 'tiny-llama'])('GgufModel (%s exported to GGUF f32)', (name) => {
  const path = join(work, `${name}.gguf`);
  let gguf: GgufModel;
  let hf: HfModel;

  beforeAll(async () => {
    await exportGguf({ modelDir: fixture(name), outputPath: path, outType: 'f32' });
    gguf = await GgufModel.load(path, { gpuLayers: 0, threads: 1, contextSize: 512 });
    hf = await HfModel.load(fixture(name), { backend: 'cpu' });
  });
  afterAll(async () => {
    await gguf?.close();
    await hf?.close();
  });

  it('generates greedily what the Hugging Face model generates, with top-k log-probabilities within 5e-3', async () => {
    const prompts = [messages, [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Ünïcödé 🌊?' }]];
    for (const prompt of prompts) {
      const [fromGguf] = (await gguf.generateBatch([request({ prompt: { messages: prompt } })])) as ServedGeneration[];
      const [fromHf] = (await hf.generateBatch([request({ prompt: { messages: prompt } })])) as ServedGeneration[];
      expect(fromGguf!.promptTokens).toBe(fromHf!.promptTokens);
      expect(fromGguf!.choices[0]!.text).toBe(fromHf!.choices[0]!.text);
      expect(fromGguf!.choices[0]!.finishReason).toBe(fromHf!.choices[0]!.finishReason);
      expect(fromGguf!.choices[0]!.deltas.join('')).toBe(fromGguf!.choices[0]!.text);
      expectClose(fromGguf!.choices[0]!.tokens, fromHf!.choices[0]!.tokens);
    }
  });

  it('scores a response under teacher forcing as the Hugging Face model does', async () => {
    for (const text of ['The sea is deep.', 'Yellow and 紫 purple 🌊.']) {
      const [fromGguf, fromHf] = await Promise.all([gguf.score({ prefixMessages: messages, text, topK: 4 }), hf.score({ prefixMessages: messages, text, topK: 4 })]);
      expect(fromGguf.prefixTokens).toBe(fromHf.prefixTokens);
      expect(fromGguf.textOffsets).toEqual(fromHf.textOffsets);
      expectClose(fromGguf.tokens, fromHf.tokens);
    }
    // Without a chat prefix the first token has no context: null, as OpenAI echoes it.
    const bare = await gguf.score({ text: 'The sea is deep.', topK: 2 });
    expectClose(bare.tokens, (await hf.score({ text: 'The sea is deep.', topK: 2 })).tokens);
    expect(bare.tokens[0]!.logprob).toBeNull();
  });

  it('samples reproducibly with a seed, n choices, stop strings, and answers concurrent requests as it answers each alone', async () => {
    const sampled = request({ n: 2, temperature: 0.9, topP: 0.95, topK: 50, seed: 5, maxTokens: 8, topLogprobs: 0 });
    const [first] = (await gguf.generateBatch([sampled])) as ServedGeneration[];
    const [again] = (await gguf.generateBatch([sampled])) as ServedGeneration[];
    expect(again!.choices.map((choice) => choice.text)).toEqual(first!.choices.map((choice) => choice.text));
    expect(first!.choices).toHaveLength(2);
    expect(first!.choices[0]!.tokens.map((token) => token.id)).not.toEqual(first!.choices[1]!.tokens.map((token) => token.id));
    for (const choice of first!.choices) for (const token of choice.tokens) expect(token.top).toEqual([]);

    const [greedy] = (await gguf.generateBatch([request({ maxTokens: 12 })])) as ServedGeneration[];
    const greedyText = greedy!.choices[0]!.text;
    const stop = greedyText.slice(3, 5);
    const [stopped] = (await gguf.generateBatch([request({ maxTokens: 12, stop: [stop] })])) as ServedGeneration[];
    expect(stopped!.choices[0]!.text).toBe(greedyText.slice(0, greedyText.indexOf(stop)));
    expect(stopped!.choices[0]!.finishReason).toBe('stop');

    const prompts = Array.from({ length: 6 }, (_, index) => request({ prompt: { messages: [{ role: 'user', content: `Question ${index}` }] }, maxTokens: 6 }));
    const together = (await gguf.generateBatch(prompts)) as ServedGeneration[];
    for (const [index, prompt] of prompts.entries()) {
      const [alone] = (await gguf.generateBatch([prompt])) as ServedGeneration[];
      expect(together[index]!.choices[0]!.tokens.map((token) => token.id)).toEqual(alone!.choices[0]!.tokens.map((token) => token.id));
    }
  });
});

describe('teacher-local/gguf and easydistill serve --model file.gguf', () => {
  const path = join(work, 'served-tiny-qwen2.gguf');
  beforeAll(async () => {
    await exportGguf({ modelDir: fixture('tiny-qwen2'), outputPath: path, outType: 'f32' });
  });

  it('the plugin registers the GGUF teacher, which creates from recipe options relative to the recipe', async () => {
    expect(plugin.provides.map((component) => `${plugin.namespace}/${component.id}`)).toContain('teacher-local/gguf');
    const options = ggufTeacher.optionsSchema.parse({ model: 'served-tiny-qwen2.gguf', gpuLayers: 0, threads: 1, parallel: 2, contextSize: 256 });
    const teacher = await ggufTeacher.create({ options, context: createTestContext({ recipeDir: work }) });
    try {
      expect(teacher.componentId).toBe('teacher-local/gguf');
      expect(await teacher.doCapabilities()).toEqual({ logprobs: true, maxTopLogprobs: 20, score: true });
      const answer = await teacher.doGenerate({ messages, maxTokens: 4, topLogprobs: 2 });
      expect(answer.choices[0]!.logprobs).toHaveLength(answer.usage.completionTokens);
      expect(answer.choices[0]!.logprobs![0]!.top).toHaveLength(2);
    } finally {
      await teacher.doClose?.();
    }
    expect(() => ggufTeacher.optionsSchema.parse({ model: 'x.gguf', parallel: 0 })).toThrow();
  });

  it('serves the GGUF model over HTTP: the openai SDK and teacher-openai get what the in-process teacher gives', async () => {
    const stop = new AbortController();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let output = '';
    stdout.on('data', (chunk) => (output += String(chunk)));
    stderr.resume();
    let server: RunningServer | undefined;
    const listening = new Promise<RunningServer>((resolve) => {
      const exit = runServe(['--model', path, '--port', '0', '--gpu-layers', '0', '--threads', '1', '--parallel', '2', '--context-size', '512', '--served-model-name', 'tiny-gguf'], { stdout, stderr, env: {}, cwd: work }, {
        stopSignal: stop.signal,
        onListening: resolve,
      });
      void exit.then((code) => expect(code).toBe(0));
    });
    server = await listening;
    const local = new LocalTeacher('teacher-local/gguf', await GgufModel.load(path, { gpuLayers: 0, threads: 1, contextSize: 512 }));
    try {
      expect(server.host).toBe('127.0.0.1');
      expect(output).toContain(`tiny-gguf at ${server.baseURL}`);
      const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
      expect((await client.models.list()).data.map((entry) => entry.id)).toEqual(['tiny-gguf']);
      const expected = await local.doGenerate({ messages, maxTokens: 8, temperature: 0, topLogprobs: 3 });
      const answer = await client.chat.completions.create({ model: 'tiny-gguf', messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3 });
      expect(answer.choices[0]!.message.content).toBe(expected.choices[0]!.text);
      answer.choices[0]!.logprobs!.content!.forEach((entry, index) => {
        expect(entry.token).toBe(expected.choices[0]!.logprobs![index]!.token);
        expect(entry.logprob).toBeCloseTo(expected.choices[0]!.logprobs![index]!.logprob, 9);
      });
      const stream = await client.chat.completions.create({ model: 'tiny-gguf', messages, max_tokens: 8, temperature: 0, stream: true });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
      expect(streamed).toBe(expected.choices[0]!.text);

      const remote = new OpenAIChatTeacher({ model: 'tiny-gguf', baseURL: server.baseURL, timeoutMs: 30_000 }, { env: () => undefined });
      expect((await remote.doCapabilities()).score).toBe(true);
      const score = { messages, response: 'The sea is deep.', topK: 3 };
      const [overHttp, inProcess] = await Promise.all([remote.doScore(score), local.doScore(score)]);
      expect(overHttp.tokens.map((token) => token.id)).toEqual(inProcess.tokens.map((token) => token.id));
      overHttp.tokens.forEach((token, index) => expect(Math.abs(token.logprob - inProcess.tokens[index]!.logprob)).toBeLessThan(1e-4));
    } finally {
      stop.abort();
      await local.doClose();
    }
  });
});
