import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { mulberry32 } from './seeded-random';

/**
 * A bounded load generator for `easydistill serve` on loopback: `clients` concurrent clients, each
 * with its own keep-alive connection, send requests one after another for `durationMs`, each
 * request's kind drawn (seeded) from a mix of well-formed and bad ones; then every client finishes
 * the request it has in flight (each bounded by `clientTimeoutMs`) and stops.
 *
 * Well-formed: chat completions (greedy, a few tokens, distinct prompts), streamed chat
 * completions, GET /v1/models, and a chat completion whose body is sent slowly in pieces (but
 * within the server's request timeout). Each must be answered 200 with a valid body.
 * Bad: bodies over the server's limit (with and without Content-Length: 413), malformed requests
 * (invalid JSON, a JSON array, wrong types, no model, an unknown model, an unknown route, the wrong
 * method: 4xx), bytes that are not HTTP (400) and clients that stall mid-body (408). Each must be
 * answered with its status and an OpenAI-style error body `{ error: { message, type } }`.
 * The server's resident memory (VmRSS of `serverPid`) is sampled every `sampleEveryMs`.
 */
export interface ServeLoadOptions {
  /** e.g. http://127.0.0.1:8000 (no /v1). */
  origin: string;
  model: string;
  clients: number;
  durationMs: number;
  seed: number;
  /** The server's body limit: oversized bodies are this plus 1 MiB. */
  bodyLimitBytes: number;
  /** The server's request timeout: stalled clients wait for the 408 up to three times this plus 30 s. */
  requestTimeoutMs: number;
  clientTimeoutMs?: number;
  serverPid?: number;
  sampleEveryMs?: number;
}

export type LoadKind = 'chat' | 'stream' | 'models' | 'slow-body' | 'oversized-length' | 'oversized-chunked' | 'malformed' | 'not-http' | 'stalled';
const WELL_FORMED: ReadonlySet<LoadKind> = new Set(['chat', 'stream', 'models', 'slow-body']);
/** Share of each kind in the mix (sums to 1). */
const MIX: Array<[LoadKind, number]> = [
  ['chat', 0.4],
  ['stream', 0.1],
  ['models', 0.1],
  ['slow-body', 0.05],
  ['oversized-length', 0.07],
  ['oversized-chunked', 0.05],
  ['malformed', 0.15],
  ['not-http', 0.03],
  ['stalled', 0.05],
];

export interface KindReport {
  sent: number;
  /** Answered as expected: 200 with a valid body (well-formed) or the expected error in OpenAI's shape. */
  expected: number;
  unexpected: number;
  statuses: Record<string, number>;
  /** Up to 5 descriptions of unexpected outcomes. */
  examples: string[];
  /** Milliseconds from start to the full answer, for the expected outcomes (p50, p95, max). */
  latencyMs: { p50: number; p95: number; max: number };
}

export interface ServeLoadReport {
  clients: number;
  durationMs: number;
  wallMs: number;
  kinds: Record<LoadKind, KindReport>;
  wellFormed: { sent: number; answered: number; failed: number };
  bad: { sent: number; rejectedInOpenAIShape: number; other: number };
  /** Server RSS samples: seconds since start, MiB. */
  rss: Array<{ s: number; mib: number }>;
}

interface Outcome {
  ok: boolean;
  status: string;
  detail?: string;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function isOpenAIError(answer: Answer, status: number): boolean {
  if (answer.status !== status) return false;
  if (!String(answer.headers['content-type'] ?? '').includes('application/json')) return false;
  try {
    const body = JSON.parse(answer.body) as { error?: { message?: unknown; type?: unknown } };
    return typeof body.error?.message === 'string' && body.error.message.length > 0 && typeof body.error.type === 'string';
  } catch {
    return false;
  }
}

function readRssMib(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function runServeLoad(options: ServeLoadOptions): Promise<ServeLoadReport> {
  const origin = new URL(options.origin);
  const clientTimeoutMs = options.clientTimeoutMs ?? 180_000;
  const random = mulberry32(options.seed);
  const started = Date.now();
  const deadline = started + options.durationMs;
  const kinds = Object.fromEntries(MIX.map(([kind]) => [kind, { sent: 0, expected: 0, unexpected: 0, statuses: {}, examples: [], latencies: [] as number[] }])) as unknown as Record<
    LoadKind,
    KindReport & { latencies: number[] }
  >;
  const rss: Array<{ s: number; mib: number }> = [];
  const sample = () => {
    if (options.serverPid === undefined) return;
    const mib = readRssMib(options.serverPid);
    if (mib !== undefined) rss.push({ s: Math.round((Date.now() - started) / 100) / 10, mib: Math.round(mib * 10) / 10 });
  };
  sample();
  const sampler = setInterval(sample, options.sampleEveryMs ?? 1000);
  const oversized = Buffer.alloc(options.bodyLimitBytes + 1024 * 1024, 'a');
  let requestNumber = 0;

  const pick = (): LoadKind => {
    let draw = random();
    for (const [kind, share] of MIX) {
      if (draw < share) return kind;
      draw -= share;
    }
    return 'chat';
  };

  /** One HTTP exchange on the client's keep-alive agent; `write` sends the body. */
  const exchange = (agent: Agent, method: string, path: string, headers: Record<string, string | number>, write: (request: ReturnType<typeof httpRequest>) => void): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = httpRequest({ host: origin.hostname, port: origin.port, method, path, headers: { host: origin.host, ...headers }, agent });
      // A server that answers before reading the whole body (413) may close while the rest is still
      // being written: that write fails after the exchange ended; the request has its answer.
      request.on('socket', (socket) => socket.listenerCount('error') > 1 || socket.on('error', () => undefined));
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${clientTimeoutMs} ms`)), clientTimeoutMs);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      write(request);
    });

  const json = (agent: Agent, method: string, path: string, body?: unknown): Promise<Answer> =>
    exchange(agent, method, path, body === undefined ? {} : { 'content-type': 'application/json' }, (request) => request.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)));

  /** Raw bytes on a fresh socket; resolves with what the server sent before it closed. */
  const raw = (first: string, trickle: boolean): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const socket = connect(Number(origin.port), origin.hostname, () => socket.write(first));
      let text = '';
      const trickler = trickle ? setInterval(() => socket.writable && socket.write(' '), Math.max(50, Math.floor(options.requestTimeoutMs / 10))) : undefined;
      const timer = setTimeout(() => socket.destroy(new Error(`not closed within ${options.requestTimeoutMs * 3 + 30_000} ms`)), options.requestTimeoutMs * 3 + 30_000);
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('error', (error) => {
        clearInterval(trickler);
        clearTimeout(timer);
        if (text) resolve(parseRaw(text));
        else reject(error);
      });
      socket.on('close', () => {
        clearInterval(trickler);
        clearTimeout(timer);
        resolve(parseRaw(text));
      });
    });

  const chatBody = (extra: Record<string, unknown> = {}) => {
    requestNumber += 1;
    return { model: options.model, messages: [{ role: 'user', content: `Load request ${requestNumber}: say something short.` }], max_tokens: 1 + (requestNumber % 3), temperature: 0, ...extra };
  };

  const malformed = (agent: Agent, variant: number): Promise<[Answer, number]> => {
    switch (variant % 8) {
      case 0:
        return json(agent, 'POST', '/v1/chat/completions', '{"model": "x", "messages": [').then((answer) => [answer, 400]);
      case 1:
        return json(agent, 'POST', '/v1/chat/completions', '[1, 2, 3]').then((answer) => [answer, 400]);
      case 2:
        return json(agent, 'POST', '/v1/chat/completions', { model: options.model, messages: 'hello' }).then((answer) => [answer, 400]);
      case 3:
        return json(agent, 'POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }).then((answer) => [answer, 400]);
      case 4:
        return json(agent, 'POST', '/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).then((answer) => [answer, 404]);
      case 5:
        return json(agent, 'GET', '/v1/nowhere').then((answer) => [answer, 404]);
      case 6:
        return json(agent, 'GET', '/v1/chat/completions').then((answer) => [answer, 405]);
      default:
        return json(agent, 'POST', '/v1/chat/completions', { model: options.model, messages: [{ role: 'user', content: 'hi' }], temperature: 'hot', max_tokens: -3 }).then((answer) => [answer, 400]);
    }
  };

  const one = async (agent: Agent, kind: LoadKind): Promise<Outcome> => {
    switch (kind) {
      case 'chat': {
        const answer = await json(agent, 'POST', '/v1/chat/completions', chatBody());
        const body = answer.status === 200 ? (JSON.parse(answer.body) as { choices?: Array<{ message?: { content?: unknown } }> }) : undefined;
        return { ok: typeof body?.choices?.[0]?.message?.content === 'string', status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'stream': {
        const answer = await json(agent, 'POST', '/v1/chat/completions', chatBody({ stream: true }));
        const ok = answer.status === 200 && String(answer.headers['content-type']).startsWith('text/event-stream') && answer.body.trimEnd().endsWith('data: [DONE]');
        return { ok, status: String(answer.status), detail: answer.body.slice(-200) };
      }
      case 'models': {
        const answer = await json(agent, 'GET', '/v1/models');
        const body = answer.status === 200 ? (JSON.parse(answer.body) as { data?: Array<{ id?: unknown }> }) : undefined;
        return { ok: body?.data?.[0]?.id === options.model, status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'slow-body': {
        // A slow but complete sender: the body in 4 pieces over about a fifth of the request timeout.
        const text = Buffer.from(JSON.stringify(chatBody()));
        const gap = Math.max(20, Math.floor(options.requestTimeoutMs / 20));
        const answer = await exchange(agent, 'POST', '/v1/chat/completions', { 'content-type': 'application/json', 'content-length': text.length }, (request) => {
          const quarter = Math.ceil(text.length / 4);
          let piece = 0;
          const next = () => {
            const chunk = text.subarray(piece * quarter, (piece + 1) * quarter);
            piece += 1;
            if (piece >= 4) request.end(chunk);
            else {
              request.write(chunk);
              setTimeout(next, gap);
            }
          };
          next();
        });
        const body = answer.status === 200 ? (JSON.parse(answer.body) as { choices?: Array<{ message?: { content?: unknown } }> }) : undefined;
        return { ok: typeof body?.choices?.[0]?.message?.content === 'string', status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'oversized-length': {
        const answer = await exchange(agent, 'POST', '/v1/chat/completions', { 'content-type': 'application/json', 'content-length': oversized.length }, (request) => request.end(oversized));
        return { ok: isOpenAIError(answer, 413), status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'oversized-chunked': {
        const answer = await exchange(agent, 'POST', '/v1/chat/completions', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, (request) => {
          for (let offset = 0; offset < oversized.length; offset += 256 * 1024) request.write(oversized.subarray(offset, offset + 256 * 1024));
          request.end();
        });
        return { ok: isOpenAIError(answer, 413), status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'malformed': {
        const [answer, status] = await malformed(agent, requestNumber++);
        return { ok: isOpenAIError(answer, status), status: `${answer.status} (want ${status})`, detail: answer.body.slice(0, 200) };
      }
      case 'not-http': {
        const answer = await raw('THIS IS NOT HTTP\r\n\r\n', false);
        return { ok: isOpenAIError(answer, 400), status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
      case 'stalled': {
        // Headers and part of the body, then one byte now and then, never the rest.
        const answer = await raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: ${origin.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model":"${options.model}",`, true);
        return { ok: isOpenAIError(answer, 408), status: String(answer.status), detail: answer.body.slice(0, 200) };
      }
    }
  };

  const client = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (Date.now() < deadline) {
        const kind = pick();
        const report = kinds[kind];
        report.sent += 1;
        const begun = Date.now();
        let outcome: Outcome;
        try {
          outcome = await one(agent, kind);
        } catch (error) {
          outcome = { ok: false, status: `error ${(error as NodeJS.ErrnoException).code ?? ''}`.trim(), detail: (error as Error).message };
        }
        report.statuses[outcome.status] = (report.statuses[outcome.status] ?? 0) + 1;
        if (outcome.ok) {
          report.expected += 1;
          report.latencies.push(Date.now() - begun);
        } else {
          report.unexpected += 1;
          if (report.examples.length < 5) report.examples.push(`${outcome.status}: ${outcome.detail ?? ''}`);
        }
      }
    } finally {
      agent.destroy();
    }
  };

  await Promise.all(Array.from({ length: options.clients }, client));
  clearInterval(sampler);
  sample();

  const percentile = (values: number[], fraction: number) => {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
  };
  const reportKinds = Object.fromEntries(
    Object.entries(kinds).map(([kind, { latencies, ...report }]) => [kind, { ...report, latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: percentile(latencies, 1) } }]),
  ) as Record<LoadKind, KindReport>;
  const entries = Object.entries(reportKinds) as Array<[LoadKind, KindReport]>;
  const good = entries.filter(([kind]) => WELL_FORMED.has(kind));
  const bad = entries.filter(([kind]) => !WELL_FORMED.has(kind));
  const sum = (list: Array<[LoadKind, KindReport]>, field: 'sent' | 'expected' | 'unexpected') => list.reduce((total, [, report]) => total + report[field], 0);
  return {
    clients: options.clients,
    durationMs: options.durationMs,
    wallMs: Date.now() - started,
    kinds: reportKinds,
    wellFormed: { sent: sum(good, 'sent'), answered: sum(good, 'expected'), failed: sum(good, 'unexpected') },
    bad: { sent: sum(bad, 'sent'), rejectedInOpenAIShape: sum(bad, 'expected'), other: sum(bad, 'unexpected') },
    rss,
  };
}

function parseRaw(text: string): Answer {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const headers: IncomingHttpHeaders = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: split < 0 ? '' : text.slice(split + 4) };
}
