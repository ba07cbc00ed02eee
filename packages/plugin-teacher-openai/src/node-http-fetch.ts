import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A `fetch` for the openai SDK on node:http(s) keep-alive agents, plus a way to close their sockets. */
export interface NodeHttpFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the idle keep-alive sockets (the teacher's doClose). */
  destroy(): void;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

function bodyBytes(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('node-http-fetch: only string, bytes or URLSearchParams request bodies are supported');
}

function readAll(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(Object.assign(new Error('the connection closed before the response body ended'), { code: 'ECONNRESET' })));
  });
}

/**
 * The teacher's HTTP client. Node 20's built-in fetch (undici) costs several times the CPU per
 * request of node:http with a keep-alive agent (bench/teacher-throughput measures both); at 64 and
 * more requests in flight that CPU is what limits throughput. This fetch sends the SDK's requests
 * over node:http(s) keep-alive agents (at most `maxSockets` per host) and answers with a standard
 * `Response` holding the whole body, so the SDK's timeout covers the body too. Errors keep their
 * Node codes (ECONNRESET, ECONNREFUSED) for the retry policy; an abort rejects with an AbortError.
 */
export function createNodeHttpFetch(options: { maxSockets: number }): NodeHttpFetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' }),
  };
  const fetchOverNode = (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (typeof Request !== 'undefined' && input instanceof Request) throw new TypeError('node-http-fetch: pass a URL and init, not a Request');
    const url = input instanceof URL ? input : new URL(input as string);
    const agent = agents[url.protocol as 'http:' | 'https:'];
    if (!agent) throw new TypeError(`node-http-fetch: unsupported protocol ${url.protocol}`);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortError(signal);
    const body = bodyBytes(init.body);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const request = send(url, { method: init.method ?? 'GET', headers, agent });
      const onAbort = () => request.destroy(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      request.on('error', (error) => {
        settle();
        reject(error);
      });
      request.on('response', (response) => {
        readAll(response).then(
          (bytes) => {
            settle();
            const responseHeaders = new Headers();
            for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) responseHeaders.append(response.rawHeaders[index]!, response.rawHeaders[index + 1]!);
            const status = response.statusCode ?? 502;
            const empty = status === 204 || status === 205 || status === 304;
            resolve(new Response(empty ? null : (bytes as unknown as BodyInit), { status, statusText: response.statusMessage ?? '', headers: responseHeaders }));
          },
          (error: unknown) => {
            settle();
            reject(signal?.aborted ? abortError(signal) : error);
          },
        );
      });
      request.end(body);
    });
  }) as NodeHttpFetch;
  fetchOverNode.destroy = () => {
    agents['http:'].destroy();
    agents['https:'].destroy();
  };
  return fetchOverNode;
}
