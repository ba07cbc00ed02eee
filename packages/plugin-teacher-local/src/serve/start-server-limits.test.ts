import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HfModel } from '../hf/hf-model';
import type { ServedModel } from './served-model';
import { startServer, type RunningServer } from './start-server';

// Slow and broken clients against `easydistill serve` with a short request timeout. The model is
// the tiny fixture whose answers are held back 1.5 s, longer than the timeout: the timeout covers
// receiving a request, never the time taken to answer it.
const fixture = fileURLToPath(new URL('../__fixtures__/tiny-qwen2', import.meta.url));
const REQUEST_TIMEOUT_MS = 600;

let model: HfModel;
let server: RunningServer;

beforeAll(async () => {
  model = await HfModel.load(fixture, { backend: 'cpu' });
  const slowModel: ServedModel = Object.assign(Object.create(model) as ServedModel, {
    generateBatch: async (requests: Parameters<ServedModel['generateBatch']>[0]) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return model.generateBatch(requests);
    },
  });
  server = await startServer({ model: slowModel, bodyLimitBytes: 64 * 1024, requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS });
});

afterAll(async () => {
  await server?.close();
  await model?.close();
});

/** Sends `bytes` on a raw socket, then nothing more; resolves with all the server sent until it closed. */
function rawExchange(bytes: string, trickleEveryMs?: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(server.port, '127.0.0.1', () => socket.write(bytes));
    const trickle = trickleEveryMs ? setInterval(() => socket.writable && socket.write(' '), trickleEveryMs) : undefined;
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('close', () => {
      clearInterval(trickle);
      resolve({ text, ms: Date.now() - started });
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close after 15 s; got ${JSON.stringify(text)}`));
    }, 15_000);
  });
}

function errorBody(text: string): { error: { message: string; type: string; code: string | null } } {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { message: string; type: string; code: string | null } };
}

describe('easydistill serve: slow and malformed clients', () => {
  it('answers a client that stops mid-body with a 408 in OpenAI shape and closes it', async () => {
    const { text } = await rawExchange('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"model":"tiny-qwen2",');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toMatch(/content-type: application\/json/i);
    expect(errorBody(text).error).toEqual({ message: `request not received within ${REQUEST_TIMEOUT_MS} ms`, type: 'invalid_request_error', param: null, code: 'request_timeout' });
  });

  it('answers a client that trickles its body a byte at a time, never finishing, with a 408', async () => {
    const { text, ms } = await rawExchange('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{', 50);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
  });

  it('answers a client that never finishes its headers with a 408', async () => {
    const { text } = await rawExchange('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(errorBody(text).error.code).toBe('request_timeout');
  });

  it('answers bytes that are not HTTP with a 400 in OpenAI shape', async () => {
    const { text } = await rawExchange('HELLO THERE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorBody(text).error.message).toMatch(/^malformed HTTP request/);
  });

  it('answers an oversized body with a 413 and Connection: close, so the rest of the body cannot hold up a next request', async () => {
    const body = `{"model":"tiny-qwen2","messages":[{"role":"user","content":"${'x'.repeat(100 * 1024)}"}]}`;
    const { text } = await rawExchange(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(errorBody(text).error.message).toMatch(/exceeds the limit of 65536 bytes/);
  });

  it('answers a well-formed request that takes longer to answer than the request timeout', async () => {
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'none', maxRetries: 0 });
    const started = Date.now();
    const answer = await client.chat.completions.create({ model: 'tiny-qwen2', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, temperature: 0 });
    expect(Date.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS);
    expect(answer.choices[0]!.message.content).toEqual(expect.any(String));
    const stats = server.stats();
    expect(stats.errors).toMatchObject({ 400: 1, 408: 3, 413: 1 });
    expect(stats.answered).toBe(1);
  });

  it('refuses model work beyond maxQueuedRequests with a 503 + Retry-After in OpenAI shape, and answers all within it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated: ServedModel = Object.assign(Object.create(model) as ServedModel, {
      generateBatch: async (requests: Parameters<ServedModel['generateBatch']>[0]) => {
        await gate;
        return model.generateBatch(requests);
      },
    });
    const busy = await startServer({ model: gated, maxQueuedRequests: 3, maxBatchSize: 2 });
    try {
      const post = (index: number) =>
        fetch(`${busy.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'tiny-qwen2', messages: [{ role: 'user', content: `queued ${index}` }], max_tokens: 2, temperature: 0 }),
        });
      const within = [0, 1, 2].map(post);
      await expect.poll(() => busy.stats().queued, { timeout: 60_000 }).toBe(3);
      const beyond = await Promise.all([3, 4].map(post));
      for (const response of beyond) {
        expect(response.status).toBe(503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const body = (await response.json()) as { error: { message: string; type: string; code: string } };
        expect(body.error).toMatchObject({ type: 'server_error', code: 'server_busy' });
        expect(body.error.message).toMatch(/3 requests are waiting for the model/);
      }
      // Requests that need no model work are answered meanwhile.
      expect((await fetch(`${busy.baseURL}/models`)).status).toBe(200);
      open();
      const answered = await Promise.all(within);
      expect(answered.map((response) => response.status)).toEqual([200, 200, 200]);
      expect(busy.stats()).toMatchObject({ queued: 0, queueHighWater: 3, answered: 3, errors: { 503: 2 } });
    } finally {
      await busy.close();
    }
  });
});
