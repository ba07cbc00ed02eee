import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The faults the proxy injects. */
export type Fault = '429' | '429-no-retry-after' | '500' | '503' | 'reset' | 'stall' | 'truncated' | 'malformed' | 'wrong-content-type';
export const ALL_FAULTS: Fault[] = ['429', '429-no-retry-after', '500', '503', 'reset', 'stall', 'truncated', 'malformed', 'wrong-content-type'];

export interface FaultProxy {
  /** Base URL with /v1, for an OpenAI client. */
  url: string;
  /** How many of each fault were injected, `forwarded` requests and `poison` answers. */
  counts: Record<string, number>;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Fraction of requests that get a fault, evenly over `faults`. */
  rate: number;
  seed: number;
  faults?: Fault[];
  /** How long a stalled request hangs before its socket is closed (past the client timeout). */
  stallMs?: number;
}

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of an OpenAI-compatible server. Each request
 * draws (seeded) whether it gets a fault, and which; a faulted request never reaches the server,
 * so the server's count of answers per request key stays exact. Requests whose body contains
 * "poison" always get a 503 (rows that must end rejected).
 */
export async function startFaultProxy(target: URL, options: FaultProxyOptions): Promise<FaultProxy> {
  const faults = options.faults ?? ALL_FAULTS;
  const stallMs = options.stallMs ?? 10_000;
  let state = options.seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const counts: Record<string, number> = { forwarded: 0, poison: 0, ...Object.fromEntries(faults.map((fault) => [fault, 0])) };
  const stalls = new Set<NodeJS.Timeout>();
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => [status, { 'content-type': 'application/json', ...headers }, JSON.stringify(body)] as const;
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const send = ([status, headers, text]: readonly [number, Record<string, string>, string]) => {
      response.writeHead(status, headers);
      response.end(text);
    };
    if (body.includes('poison')) {
      counts.poison! += 1;
      return send(json(503, { error: { message: 'poisoned prompt', type: 'server_error' } }));
    }
    const draw = random();
    const fault = draw < options.rate ? faults[Math.floor((draw / options.rate) * faults.length)]! : undefined;
    if (fault) counts[fault]! += 1;
    switch (fault) {
      case '429':
        return send(json(429, { error: { message: 'rate limited', type: 'rate_limit_error' } }, { 'retry-after': '1' }));
      case '429-no-retry-after':
        return send(json(429, { error: { message: 'rate limited', type: 'rate_limit_error' } }));
      case '500':
        return send(json(500, { error: { message: 'injected failure', type: 'server_error' } }));
      case '503':
        return send(json(503, { error: { message: 'overloaded', type: 'server_error' } }));
      case 'reset':
        return request.socket.destroy();
      case 'stall': {
        const timer = setTimeout(() => {
          stalls.delete(timer);
          request.socket.destroy();
        }, stallMs);
        stalls.add(timer);
        return;
      }
      case 'truncated':
        // Promises more bytes than it sends, then closes: the client sees a body cut short.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
        response.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,');
        return setTimeout(() => request.socket.destroy(), 5);
      case 'malformed':
        return send([200, { 'content-type': 'application/json' }, '{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assis']);
      case 'wrong-content-type':
        return send([200, { 'content-type': 'text/html' }, '<html><body>502 Bad Gateway</body></html>']);
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
