import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DistillError, RequestCache, type TeacherV1Request, type TeacherV1Response } from '@easydistill/core';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';
import { HfModel, startServer } from '@easydistill/plugin-teacher-local';
import { describe, expect, it } from 'vitest';

type Fault = '429' | '500' | 'reset' | 'stall' | 'malformed';
const faults: Fault[] = ['429', '500', 'reset', 'stall', 'malformed'];

/**
 * A fault-injecting HTTP proxy on 127.0.0.1. Each request draws (seeded) one of: 429 with
 * Retry-After, 500, a connection reset, a 10 s stall (then the socket is closed), or a 200 whose
 * JSON body is cut short — `rate` of requests in total, evenly — else it is forwarded to `target`.
 * Faults are injected before forwarding, so a faulted request never reaches the server; requests
 * whose prompt contains "poison" always get a 503 (rows that must end rejected).
 */
async function startFaultProxy(target: URL, rate: number, seed: number): Promise<{ url: string; counts: Record<string, number>; close(): Promise<void> }> {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const counts: Record<string, number> = { forwarded: 0, poison: 0, ...Object.fromEntries(faults.map((fault) => [fault, 0])) };
  const stalls = new Set<NodeJS.Timeout>();
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (body.includes('poison')) {
      counts.poison! += 1;
      response.writeHead(503, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ error: { message: 'poisoned prompt', type: 'server_error' } }));
    }
    const draw = random();
    const fault = draw < rate ? faults[Math.floor((draw / rate) * faults.length)]! : undefined;
    if (fault) counts[fault]! += 1;
    switch (fault) {
      case '429':
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return response.end(JSON.stringify({ error: { message: 'rate limited', type: 'rate_limit_error' } }));
      case '500':
        response.writeHead(500, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ error: { message: 'injected failure', type: 'server_error' } }));
      case 'reset':
        return request.socket.destroy();
      case 'stall': {
        const timer = setTimeout(() => {
          stalls.delete(timer);
          request.socket.destroy();
        }, 10_000);
        stalls.add(timer);
        return;
      }
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end('{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assis');
    }
    counts.forwarded! += 1;
    const upstream = httpRequest(new URL(request.url!, target), { method: request.method, headers: { ...request.headers, host: target.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    counts,
    close: () =>
      new Promise((resolve) => {
        for (const timer of stalls) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface RowOutcome {
  id: string;
  status: 'done' | 'rejected';
  output?: string;
  reason?: string;
  cacheHit?: boolean;
}

/** Calls the teacher once per row through core's request cache, at most `concurrency` at once. */
async function runRows(rows: Array<{ id: string; prompt: string }>, teacher: OpenAIChatTeacher, cache: RequestCache, concurrency: number): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const request: TeacherV1Request = { messages: [{ role: 'user', content: row.prompt }], maxTokens: 6, temperature: 0 };
      const key = RequestCache.key({ kind: 'generate', componentId: teacher.componentId, model: teacher.modelId, request });
      try {
        const { value, hit } = await cache.getOrCompute<TeacherV1Response>(key, () => teacher.doGenerate(request));
        outcomes.push({ id: row.id, status: 'done', output: value.choices[0]!.text, cacheHit: hit });
      } catch (error) {
        expect(DistillError.isInstance(error)).toBe(true);
        outcomes.push({ id: row.id, status: 'rejected', reason: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

describe('teacher-openai through a fault-injecting proxy in front of easydistill serve', () => {
  it('a 500-row workload ends with every row done or rejected with its reason, none twice, no answer repeated', async () => {
    const model = await HfModel.load(fileURLToPath(new URL('../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url)), { backend: 'cpu' });
    const server = await startServer({ model, maxBatchSize: 32 });
    const proxy = await startFaultProxy(new URL(server.baseURL), 0.2, 7);
    const cacheDir = mkdtempSync(join(tmpdir(), 'teacher-fault-cache-'));
    try {
      const rows = Array.from({ length: 500 }, (_, index) => ({ id: `row-${index}`, prompt: index % 100 === 42 ? `poison ${index}` : `Question number ${index}: say something.` }));
      // The client timeout (9 s) stays under the proxy's 10 s stall but well above the server's
      // answer time on a loaded 2-core machine, so a forwarded request is never answered twice.
      const teacher = new OpenAIChatTeacher(
        { model: 'tiny-qwen2', baseURL: proxy.url, concurrency: 32, maxAttempts: 6, timeoutMs: 9000, initialBackoffMs: 50, maxBackoffMs: 400 },
        { env: () => undefined },
      );
      const cache = new RequestCache(cacheDir);
      const started = Date.now();
      const first = await runRows(rows, teacher, cache, 32);
      const seconds = (Date.now() - started) / 1000;

      const ids = first.map((outcome) => outcome.id);
      expect(new Set(ids).size).toBe(500);
      expect(ids).toHaveLength(500);
      const done = first.filter((outcome) => outcome.status === 'done');
      const rejected = first.filter((outcome) => outcome.status === 'rejected');
      expect(done.length + rejected.length).toBe(500);
      for (const outcome of rejected) expect(outcome.reason).toMatch(/teacher-openai\/chat tiny-qwen2 chat\.completions: .+ \(gave up after \d+ attempts?\)/);
      expect(rejected.filter((outcome) => outcome.reason!.includes('poisoned prompt')).map((outcome) => outcome.id).sort()).toEqual(['row-142', 'row-242', 'row-342', 'row-42', 'row-442']);
      expect(done.length).toBeGreaterThanOrEqual(490);
      for (const fault of faults) expect(proxy.counts[fault]).toBeGreaterThan(0);
      const usage = teacher.usage();
      const injected = faults.reduce((sum, fault) => sum + proxy.counts[fault]!, 0);
      expect(injected / (injected + proxy.counts.forwarded! + proxy.counts.poison!)).toBeGreaterThan(0.12);
      console.log(`500 rows in ${seconds.toFixed(1)} s (${(500 / seconds).toFixed(1)} rows/s): ${done.length} done, ${rejected.length} rejected; attempts ${usage.attempts}, retries ${usage.retries}; proxy ${JSON.stringify(proxy.counts)}`);

      // The server answered each done row once, and no request key twice.
      let stats = server.stats();
      expect(stats.duplicateAnswers).toBe(0);
      expect(stats.answered).toBe(done.length);

      // A second pass (a resumed run) takes every done row from the cache: no new answers.
      const second = await runRows(rows, teacher, cache, 32);
      const secondDone = second.filter((outcome) => outcome.status === 'done');
      expect(secondDone.filter((outcome) => done.some((row) => row.id === outcome.id)).every((outcome) => outcome.cacheHit)).toBe(true);
      for (const outcome of done) expect(second.find((row) => row.id === outcome.id)!.output).toBe(outcome.output);
      stats = server.stats();
      expect(stats.duplicateAnswers).toBe(0);
      expect(stats.answered).toBe(secondDone.length);
    } finally {
      await proxy.close();
      await server.close();
      await model.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});
