import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DistillError } from '@easydistill/core';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIChatTeacher } from './openai-chat-teacher';
import { RateBudget } from './rate-budget';
import { backoffDelayMs, classifyAttemptError, MalformedResponseError, retryAfterFromHeaders } from './retry-policy';

// A scripted OpenAI endpoint on 127.0.0.1 (the paid API is a boundary these tests cannot reach):
// each request takes the next behaviour from the script; the last one repeats.
type Behaviour = (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown>) => void;

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function scriptedEndpoint(script: Behaviour[]): Promise<{ baseURL: string; bodies: Array<Record<string, unknown>>; times: number[] }> {
  const bodies: Array<Record<string, unknown>> = [];
  const times: number[] = [];
  const server = createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    bodies.push(body);
    times.push(Date.now());
    const behaviour = script[Math.min(bodies.length - 1, script.length - 1)]!;
    behaviour(request, response, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => { server.closeAllConnections(); server.close(); } });
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies, times };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

const completion = (content: string, extra: Record<string, unknown> = {}) => json(200, {
  id: 'x', object: 'chat.completion', created: 0, model: 'served-name',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', ...extra }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
});

const fast = { initialBackoffMs: 5, maxBackoffMs: 20 };
const noEnv = { env: () => undefined };

describe('OpenAIChatTeacher', () => {
  it('maps options and request fields onto the chat completions body and reads usage', async () => {
    const endpoint = await scriptedEndpoint([completion('hello')]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, temperature: 0.3, maxTokens: 9, stop: ['END'], prices: { inputPerMillion: 1, outputPerMillion: 2 } }, noEnv);
    const answer = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }], seed: 4, topP: 0.5 });
    expect(answer).toEqual({ choices: [{ text: 'hello', finishReason: 'stop' }], usage: { promptTokens: 7, completionTokens: 3, costUsd: (7 * 1 + 3 * 2) / 1e6 }, model: 'served-name' });
    expect(endpoint.bodies[0]).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3, top_p: 0.5, max_tokens: 9, seed: 4, stop: ['END'] });
    expect(teacher.usage()).toMatchObject({ calls: 1, attempts: 1, promptTokens: 7, completionTokens: 3, costUsd: (7 * 1 + 3 * 2) / 1e6 });
  });

  it('reads per-token logprobs with top alternatives (and ids when the endpoint gives them)', async () => {
    const endpoint = await scriptedEndpoint([completion('ab', {
      logprobs: { content: [
        { token: 'a', id: 5, logprob: -0.1, bytes: [97], top_logprobs: [{ token: 'a', id: 5, logprob: -0.1 }, { token: 'b', id: 6, logprob: -2.5 }] },
        { token: 'b', logprob: -0.2, bytes: [98], top_logprobs: [] },
      ] },
    })]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL }, noEnv);
    const answer = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }], topLogprobs: 2 });
    expect(endpoint.bodies[0]).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expect(answer.choices[0]!.logprobs).toEqual([
      { token: 'a', id: 5, logprob: -0.1, top: [{ token: 'a', id: 5, logprob: -0.1 }, { token: 'b', id: 6, logprob: -2.5 }] },
      { token: 'b', logprob: -0.2, top: [] },
    ]);
  });

  it('retries 429 honouring Retry-After, then 500 and a malformed JSON body, and succeeds', async () => {
    const endpoint = await scriptedEndpoint([
      json(429, { error: { message: 'slow down' } }, { 'retry-after': '0.3' }),
      json(500, { error: { message: 'boom' } }),
      (_request, response) => { response.writeHead(200, { 'content-type': 'application/json' }); response.end('{"choices": [tr'); },
      completion('finally'),
    ]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, ...fast }, noEnv);
    const answer = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.text).toBe('finally');
    expect(endpoint.times[1]! - endpoint.times[0]!).toBeGreaterThanOrEqual(290);
    expect(teacher.usage()).toMatchObject({ calls: 1, attempts: 4, retries: 3 });
  });

  it('retries connection resets and timeouts (stalled answers)', async () => {
    const endpoint = await scriptedEndpoint([
      (request) => request.socket.destroy(),
      () => { /* never answers: the client times out */ },
      completion('ok'),
    ]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, timeoutMs: 300, ...fast }, noEnv);
    const answer = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.text).toBe('ok');
    expect(endpoint.bodies).toHaveLength(3);
  });

  it('retries a body cut short (the connection closes mid-body), a reset after the headers and a non-JSON page', async () => {
    const endpoint = await scriptedEndpoint([
      (request, response) => {
        // Promises 400 bytes, sends part of them, then closes the socket.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        response.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,');
        setTimeout(() => request.socket.destroy(), 5);
      },
      (request, response) => {
        // Chunked: headers and a first chunk, then the socket is destroyed.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id":"chatcmpl-2",');
        setTimeout(() => request.socket.destroy(), 5);
      },
      (_request, response) => {
        // A gateway's error page with status 200 and the wrong content type.
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>502 Bad Gateway</body></html>');
      },
      completion('whole'),
    ]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, ...fast }, noEnv);
    const answer = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.text).toBe('whole');
    expect(endpoint.bodies).toHaveLength(4);
    expect(teacher.usage()).toMatchObject({ calls: 1, attempts: 4, retries: 3 });
    await teacher.doClose();
  });

  it('sends one Idempotency-Key on every attempt of a call and a new one for each call', async () => {
    const keys: string[] = [];
    const recordKey = (behaviour: Behaviour): Behaviour => (request, response, body) => {
      keys.push(String(request.headers['idempotency-key']));
      behaviour(request, response, body);
    };
    const endpoint = await scriptedEndpoint([recordKey(json(500, { error: { message: 'boom' } })), recordKey((request) => request.socket.destroy()), recordKey(completion('one')), recordKey(completion('two'))]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, ...fast }, noEnv);
    expect((await teacher.doGenerate({ messages: [{ role: 'user', content: 'a' }] })).choices[0]!.text).toBe('one');
    expect((await teacher.doGenerate({ messages: [{ role: 'user', content: 'a' }] })).choices[0]!.text).toBe('two');
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(/^easydistill-[0-9a-f-]{36}$/);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).not.toBe(keys[0]);
    await teacher.doClose();
  });

  it('stops a call at once when the run is aborted, even mid-request', async () => {
    const endpoint = await scriptedEndpoint([() => undefined]);
    const abort = new AbortController();
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, ...fast }, { env: () => undefined, signal: abort.signal });
    const started = Date.now();
    const call = teacher.doGenerate({ messages: [{ role: 'user', content: 'a' }] });
    setTimeout(() => abort.abort(), 100);
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(endpoint.bodies).toHaveLength(1);
    await teacher.doClose();
  });

  it('keeps many requests in flight on one run signal without a listener-leak warning, and leaves no listener behind', async () => {
    const endpoint = await scriptedEndpoint([(_request, response) => setTimeout(() => completion('x')(_request, response, {}), 20)]);
    const abort = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, concurrency: 16 }, { env: () => undefined, signal: abort.signal });
      await Promise.all(Array.from({ length: 48 }, (_, index) => teacher.doGenerate({ messages: [{ role: 'user', content: `q${index}` }] })));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
      await teacher.doClose();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('gives up after maxAttempts with a DistillError naming the reason', async () => {
    const endpoint = await scriptedEndpoint([json(503, { error: { message: 'overloaded' } })]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, maxAttempts: 3, ...fast }, noEnv);
    const failure = await teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(DistillError.isInstance(failure)).toBe(true);
    expect((failure as DistillError).code).toBe('TEACHER_REQUEST_FAILED');
    expect((failure as Error).message).toMatch(/HTTP 503: overloaded \(gave up after 3 attempts\)/);
    expect(endpoint.bodies).toHaveLength(3);
    expect(teacher.usage()).toMatchObject({ calls: 0, failedCalls: 1, attempts: 3 });
  });

  it('does not retry a 400 nor a well-formed answer of the wrong shape', async () => {
    const bad = await scriptedEndpoint([json(400, { error: { message: 'unknown parameter' } })]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: bad.baseURL, ...fast }, noEnv);
    await expect(teacher.doGenerate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/HTTP 400: unknown parameter \(gave up after 1 attempt\)/);
    const wrong = await scriptedEndpoint([json(200, { choices: [{ index: 0, message: { content: 42 } }] })]);
    const other = new OpenAIChatTeacher({ model: 'm', baseURL: wrong.baseURL, ...fast }, noEnv);
    await expect(other.doGenerate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/choices\[0\]\.message\.content should be a string/);
    expect(wrong.bodies).toHaveLength(1);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const endpoint = await scriptedEndpoint([(_request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => { inFlight -= 1; completion('x')(_request, response, {}); }, 30);
    }]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: endpoint.baseURL, concurrency: 3 }, noEnv);
    const started = Date.now();
    await Promise.all(Array.from({ length: 12 }, (_, index) => teacher.doGenerate({ messages: [{ role: 'user', content: `q${index}` }] })));
    expect(most).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110); // 4 waves of 30 ms
  });

  it('spends the per-minute budget: once drained, a request waits for the refill', async () => {
    const budget = new RateBudget(600); // 10 units per second, bucket of 600
    const started = Date.now();
    await budget.take(600);
    expect(Date.now() - started).toBeLessThan(50);
    await budget.take(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    budget.adjust(-2); // real usage above the estimate is charged afterwards
    const before = Date.now();
    await budget.take(1);
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
  });

  it('declares score only when the endpoint understands the scoring extension', async () => {
    const plain = await scriptedEndpoint([json(200, { choices: [{ index: 0, text: 'Hi', logprobs: { tokens: ['Hi'], token_logprobs: [null] } }] })]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: plain.baseURL, ...fast }, noEnv);
    expect(await teacher.doCapabilities()).toEqual({ logprobs: true, maxTopLogprobs: 20, score: false });
    await expect(teacher.doScore({ messages: [{ role: 'user', content: 'a' }], response: 'b', topK: 2 })).rejects.toThrow(/does not support white-box scoring/);
    expect(plain.bodies).toHaveLength(1);
  });

  it('declares the endpoint\'s maxTopLogprobs (20 unless set) and refuses a default topLogprobs above it', async () => {
    const plain = await scriptedEndpoint([json(200, { choices: [{ index: 0, text: 'Hi', logprobs: { tokens: ['Hi'], token_logprobs: [null] } }] })]);
    const teacher = new OpenAIChatTeacher({ model: 'm', baseURL: plain.baseURL, maxTopLogprobs: 1000, topLogprobs: 50, ...fast }, noEnv);
    expect(await teacher.doCapabilities()).toEqual({ logprobs: true, maxTopLogprobs: 1000, score: false });
    expect(() => new OpenAIChatTeacher({ model: 'm', baseURL: plain.baseURL, topLogprobs: 50 }, noEnv)).toThrow(/topLogprobs is above maxTopLogprobs/);
  });

  it('refuses an apiKeyEnv that is not set, naming the variable', () => {
    expect(() => new OpenAIChatTeacher({ model: 'm', apiKeyEnv: 'TEACHER_KEY_FOR_TEST' }, noEnv)).toThrow(/apiKeyEnv names "TEACHER_KEY_FOR_TEST", which is not set/);
  });
});

describe('retry timing', () => {
  it('backs off exponentially with jitter and never waits less than Retry-After', () => {
    const low = () => 0;
    const high = () => 0.999;
    expect(backoffDelayMs({ attempt: 1, initialMs: 100, maxMs: 1000, maxRetryAfterMs: 5000, random: low })).toBe(50);
    expect(backoffDelayMs({ attempt: 3, initialMs: 100, maxMs: 1000, maxRetryAfterMs: 5000, random: high })).toBeCloseTo(400, 0);
    expect(backoffDelayMs({ attempt: 10, initialMs: 100, maxMs: 1000, maxRetryAfterMs: 5000, random: high })).toBeLessThanOrEqual(1000);
    expect(backoffDelayMs({ attempt: 1, initialMs: 100, maxMs: 1000, retryAfterMs: 2000, maxRetryAfterMs: 5000, random: low })).toBe(2000);
  });

  it('reads Retry-After in seconds, as a date, and retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now)).toBe(150);
    expect(retryAfterFromHeaders(new Headers({}), now)).toBeUndefined();
  });

  it('retries a socket error mid-body however the HTTP layer reports it, never a wrong-shaped JSON answer', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(classifyAttemptError(reset, 1000)).toMatchObject({ retry: true, reason: 'connection error mid-response (ECONNRESET: aborted)' });
    // undici's fetch: a body cut short is `TypeError: terminated` caused by the socket error.
    const terminated = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classifyAttemptError(terminated, 1000)).toMatchObject({ retry: true, reason: 'connection error mid-response (UND_ERR_SOCKET: terminated)' });
    expect(classifyAttemptError(new TypeError('terminated'), 1000)).toMatchObject({ retry: true });
    expect(classifyAttemptError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 1000).retry).toBe(true);
    expect(classifyAttemptError(new SyntaxError('Unexpected end of JSON input'), 1000).retry).toBe(true);
    expect(classifyAttemptError(new MalformedResponseError('malformed response: choices should be a non-empty array'), 1000).retry).toBe(false);
    expect(classifyAttemptError(new TypeError('Cannot read properties of undefined'), 1000).retry).toBe(false);
  });
});
