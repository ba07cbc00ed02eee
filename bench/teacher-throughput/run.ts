/**
 * teacher-openai throughput against a loopback server that answers after a fixed 200 ms.
 *
 * With concurrency 64 the ideal is 64 / 0.2 s = 320 requests/s; the target is at least 95% of it.
 * The server is a child process (fixed-latency-server.mjs), so the CPU time measured here
 * (process.cpuUsage of this process, user + system) is the client's alone: the teacher (limiter,
 * budgets, retry loop, response validation), the openai SDK and its node:http fetch. Two modes:
 *   - teacher: OpenAIChatTeacher.doGenerate, as a stage calls it;
 *   - teacher + request cache: each call through core's RequestCache (key hashing, on-disk store,
 *     atomic write per answer), as `context.getTeacher()` wraps it in a run (all misses).
 *
 * A third row, `node:http floor`, sends the same requests with bare node:http (keep-alive agent,
 * no SDK, no teacher): what this machine allows at that moment, to read the other rows against.
 * A fourth, `openai SDK on built-in fetch`, calls the SDK alone on Node's fetch (undici), which the
 * teacher's node:http fetch replaces.
 *
 * Run from the repo root:
 *   npx tsx --conditions=@easydistill/source bench/teacher-throughput/run.ts [--requests 3200] [--concurrency 64] [--delay 200]
 * Prints a Markdown table, writes bench/teacher-throughput/results.json and appends the table to results.md.
 */
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { RequestCache, type TeacherV1Request, type TeacherV1Response } from '@easydistill/core';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const REQUESTS = argument('requests', 3200);
const CONCURRENCY = argument('concurrency', 64);
const DELAY_MS = argument('delay', 200);
const IDEAL = CONCURRENCY / (DELAY_MS / 1000);
const here = fileURLToPath(new URL('.', import.meta.url));

async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = fork(join(here, 'fixed-latency-server.mjs'), [String(DELAY_MS)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk) => resolve(String(chunk).trim()));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Figures {
  mode: string;
  requests: number;
  failed: number;
  seconds: number;
  requestsPerSecond: number;
  ofIdeal: number;
  cpuMsPerRequest: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** The same request with bare node:http: no SDK, no teacher. */
function bareCaller(url: string): (index: number) => Promise<TeacherV1Response> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(`${url}/chat/completions`);
  return (index) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: `bare question ${index}: what is ${index} + ${index}?` }], max_tokens: 16, temperature: 0 });
      const request = httpRequest(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices: Array<{ message: { content: string } }> };
          resolve({ choices: [{ text: answer.choices[0]!.message.content, finishReason: 'stop' }], usage: { promptTokens: 0, completionTokens: 0 }, model: 'bench-model' });
        });
      });
      request.on('error', reject);
      request.end(body);
    });
}

/** The openai SDK alone on Node's built-in fetch (undici), no teacher: what the teacher's node:http fetch replaces. */
function sdkCaller(url: string): (index: number) => Promise<TeacherV1Response> {
  const client = new OpenAI({ baseURL: url, apiKey: 'no-key', maxRetries: 0, timeout: 30_000, fetch: globalThis.fetch });
  return async (index) => {
    const answer = await client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: `sdk question ${index}: what is ${index} + ${index}?` }], max_tokens: 16, temperature: 0 });
    return { choices: [{ text: answer.choices[0]!.message.content ?? '', finishReason: 'stop' }], usage: { promptTokens: 0, completionTokens: 0 }, model: 'bench-model' };
  };
}

async function measure(mode: string, url: string, label: string, cacheDir: string | undefined, count: number): Promise<Figures> {
  const teacher = new OpenAIChatTeacher({ model: 'bench-model', baseURL: url, concurrency: CONCURRENCY, timeoutMs: 30_000, maxAttempts: 1 }, { env: () => undefined });
  const cache = cacheDir ? new RequestCache(cacheDir) : undefined;
  const bare = mode === 'node:http floor' ? bareCaller(url) : mode === 'openai SDK on built-in fetch' ? sdkCaller(url) : undefined;
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const call = async (index: number): Promise<TeacherV1Response> => {
    const request: TeacherV1Request = { messages: [{ role: 'user', content: `${label} question ${index}: what is ${index} + ${index}?` }], maxTokens: 16, temperature: 0 };
    if (bare) return bare(index);
    if (!cache) return teacher.doGenerate(request);
    const key = RequestCache.key({ kind: 'generate', componentId: teacher.componentId, model: teacher.modelId, request });
    return (await cache.getOrCompute(key, () => teacher.doGenerate(request))).value;
  };
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const started = performance.now();
      try {
        const answer = await call(index);
        if (!answer.choices[0]?.text.startsWith('Answer')) throw new Error('unexpected answer');
        latencies.push(performance.now() - started);
      } catch {
        failed += 1;
      }
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const requestsPerSecond = count / seconds;
  return {
    mode,
    requests: count,
    failed,
    seconds,
    requestsPerSecond,
    ofIdeal: requestsPerSecond / IDEAL,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / count,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
  };
}

const loadAtStart = Number(loadavg()[0]!.toFixed(2));
const server = await startServer();
const cacheDir = mkdtempSync(join(tmpdir(), 'teacher-throughput-cache-'));
const results: Figures[] = [];
try {
  // Warm-up: opens the connections and warms the JIT; not measured.
  await measure('warm-up', server.url, 'warm-up', undefined, CONCURRENCY * 4);
  results.push(await measure('node:http floor', server.url, 'bare', undefined, REQUESTS));
  results.push(await measure('openai SDK on built-in fetch', server.url, 'sdk', undefined, REQUESTS));
  results.push(await measure('teacher', server.url, 'plain', undefined, REQUESTS));
  results.push(await measure('teacher + request cache', server.url, 'cached', cacheDir, REQUESTS));
} finally {
  await server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1mAtStart: loadAtStart, loadAverage1m: Number(loadavg()[0]!.toFixed(2)) };
const lines = [
  `Concurrency ${CONCURRENCY}, server delay ${DELAY_MS} ms, ideal ${IDEAL} requests/s; ${REQUESTS} requests per mode.`,
  `Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, 1-min load average ${machine.loadAverage1mAtStart} at the start, ${machine.loadAverage1m} at the end (other processes share the machine).`,
  '',
  '| mode | requests/s | of ideal | client CPU ms/request | p50 latency ms | p99 latency ms | failed |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map((row) => `| ${row.mode} | ${row.requestsPerSecond.toFixed(1)} | ${(row.ofIdeal * 100).toFixed(1)}% | ${row.cpuMsPerRequest.toFixed(3)} | ${row.latencyP50Ms.toFixed(1)} | ${row.latencyP99Ms.toFixed(1)} | ${row.failed} |`),
];
console.log(lines.join('\n'));
const resultsMd = join(here, 'results.md');
if (!existsSync(resultsMd)) writeFileSync(resultsMd, '# bench/teacher-throughput: committed runs\n\nEach run appends its table here (newest last); `results.json` holds the latest run.\n');
appendFileSync(resultsMd, `\n## ${new Date().toISOString()}\n\n${lines.join('\n')}\n`);
writeFileSync(join(here, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), concurrency: CONCURRENCY, delayMs: DELAY_MS, ideal: IDEAL, machine, results }, null, 2)}\n`);
