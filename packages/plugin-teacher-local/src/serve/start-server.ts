import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LoggerV1 } from '@easydistill/core';
import { requestKey, sendChatCompletion, streamChatCompletion } from './chat-completions-route';
import { handleCompletions } from './completions-route';
import { IdempotencyStore, idempotencyKeyOf } from './idempotency-store';
import { OpenAIHttpError, sendError, sendJson } from './openai-http-error';
import { parseChatRequest } from './parse-openai-request';
import { readJsonBody } from './read-json-body';
import { RequestBatcher } from './request-batcher';
import type { ServedGeneration, ServedGenerateRequest, ServedModel, ServedScore, ServedScoreRequest } from './served-model';

export interface ServerOptions {
  model: ServedModel;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body in bytes (default 4 MiB). */
  bodyLimitBytes?: number;
  /**
   * Most milliseconds a client may take to send a whole request, headers and body (default 30 s;
   * the answer's time is not counted). A slower client gets a 408 in OpenAI's error shape and its
   * connection is closed, so slow or stalled senders cannot hold sockets and buffers for long.
   */
  requestTimeoutMs?: number;
  /** Most milliseconds a client may take to send the request headers (default 10 s, at most requestTimeoutMs). */
  headersTimeoutMs?: number;
  /** Most requests decoded together (default 16). */
  maxBatchSize?: number;
  /**
   * Most requests waiting for or in model work at once (default 256). Requests are answered in the
   * order they arrive (first come, first decoded); one arriving while this many wait is refused at
   * once with a 503 in OpenAI's shape and a Retry-After header, instead of waiting without bound.
   */
  maxQueuedRequests?: number;
  /** Milliseconds a batch waits for more requests before it starts (default 5). */
  batchWindowMs?: number;
  /**
   * Most `top_logprobs` (chat) or `logprobs` (completions) a request may ask for. Default 20,
   * OpenAI's limit; more (up to the vocabulary, beyond which the answer holds the whole
   * distribution) lets white-box distillation keep top-50 or full-vocabulary log-probabilities.
   */
  maxTopLogprobs?: number;
  /** `max_tokens` of a chat request that gives none (default 256). */
  defaultMaxTokens?: number;
  /** How long an answer to a request with an `Idempotency-Key` is kept for retries of it (default 10 minutes). */
  idempotencyTtlMs?: number;
  logger?: LoggerV1;
}

/**
 * Counters the server keeps. `answered` counts answers computed by the model; `replayed` answers
 * re-sent to a retry carrying the same `Idempotency-Key`; `duplicateAnswers` counts request keys
 * (canonical request contents) the model answered more than once.
 */
export interface ServerStats {
  requests: number;
  answered: number;
  replayed: number;
  errors: Record<string, number>;
  duplicateAnswers: number;
  distinctKeys: number;
  batchSizes: readonly number[];
  /** Requests waiting for or in model work now, and the most at any time (bounded by maxQueuedRequests). */
  queued: number;
  queueHighWater: number;
}

export interface RunningServer {
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:41234/v1`. */
  readonly baseURL: string;
  readonly host: string;
  readonly port: number;
  stats(): ServerStats;
  /** Stops listening, drops connections; does not close the model. */
  close(): Promise<void>;
}

/** Most milliseconds a connection is kept after an early error answer, to read the rest of the client's body. */
const LINGER_MS = 5_000;

type Work = { kind: 'generate'; request: ServedGenerateRequest } | { kind: 'score'; request: ServedScoreRequest };

/**
 * Starts the OpenAI-compatible HTTP server of `easydistill serve` (node:http, no framework):
 * `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/chat/completions` (streaming included) and
 * `POST /v1/completions` (echo + logprobs scoring). Requests from all clients go through one
 * batcher. Errors are answered in OpenAI's JSON shape.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { model } = options;
  const host = options.host ?? '127.0.0.1';
  const bodyLimit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  const defaultMaxTokens = options.defaultMaxTokens ?? 256;
  const expectedKey = options.apiKey ? Buffer.from(`Bearer ${options.apiKey}`) : undefined;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  // Answers per request key, keyed by the key's SHA-256 (a key holds the whole request: up to the
  // body limit), so a long-running server keeps a few dozen bytes per distinct request.
  const answers = new Map<string, number>();
  const counters = { requests: 0, answered: 0, replayed: 0, errors: {} as Record<string, number> };
  const idempotency = new IdempotencyStore(options.idempotencyTtlMs);
  const maxBatchSize = options.maxBatchSize ?? 16;
  const maxQueued = options.maxQueuedRequests ?? 256;
  const queue = { now: 0, highWater: 0, batchMs: 1000 };

  const batcher = new RequestBatcher<Work, ServedGeneration | ServedScore>(async (work) => {
    const begun = Date.now();
    try {
      return await runBatch(work);
    } finally {
      // A running average of batch durations, for the Retry-After of a refused request.
      queue.batchMs = 0.8 * queue.batchMs + 0.2 * (Date.now() - begun);
    }
  }, maxBatchSize, options.batchWindowMs ?? 5);

  async function runBatch(work: Work[]): Promise<Array<ServedGeneration | ServedScore | Error>> {
    const results: Array<ServedGeneration | ServedScore | Error> = new Array(work.length);
    const generateIndexes = work.flatMap((item, index) => (item.kind === 'generate' ? [index] : []));
    if (generateIndexes.length > 0) {
      const generated = await model.generateBatch(generateIndexes.map((index) => (work[index] as { request: ServedGenerateRequest }).request));
      generateIndexes.forEach((index, position) => (results[index] = generated[position] ?? new Error('missing result')));
    }
    for (const [index, item] of work.entries()) {
      if (item.kind !== 'score') continue;
      try {
        results[index] = await model.score(item.request);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
    return results;
  }

  /** Runs `work` (model work for one request) if the queue has room, else refuses with a 503. */
  const admit = async <T>(work: () => Promise<T>): Promise<T> => {
    if (queue.now >= maxQueued) {
      const seconds = Math.max(1, Math.ceil(((queue.now / maxBatchSize + 1) * queue.batchMs) / 1000));
      throw new OpenAIHttpError(503, `The server is busy: ${queue.now} requests are waiting for the model (serve --max-queue ${maxQueued}); retry after ${seconds} s`, 'server_error', null, 'server_busy', { 'retry-after': String(seconds) });
    }
    queue.now += 1;
    queue.highWater = Math.max(queue.highWater, queue.now);
    try {
      return await work();
    } finally {
      queue.now -= 1;
    }
  };

  const engine = {
    generate: (request: ServedGenerateRequest) => batcher.submit({ kind: 'generate', request }) as Promise<ServedGeneration>,
    score: (request: ServedScoreRequest) => batcher.submit({ kind: 'score', request }) as Promise<ServedScore>,
  };

  const recordAnswer = (key: string): void => {
    counters.answered += 1;
    const digest = createHash('sha256').update(key).digest('base64');
    answers.set(digest, (answers.get(digest) ?? 0) + 1);
  };

  const modelCard = () => ({
    id: model.modelId,
    object: 'model',
    created: 0,
    owned_by: 'easydistill',
    ...(model.tokenizerId ? { tokenizer_id: model.tokenizerId } : {}),
    ...(model.contextLength ? { context_length: model.contextLength } : {}),
  });

  const checkModel = (body: Record<string, unknown>): void => {
    if (typeof body.model !== 'string') throw new OpenAIHttpError(400, 'model: expected the model name (GET /v1/models lists it)', 'invalid_request_error', 'model');
    if (body.model !== model.modelId) {
      throw new OpenAIHttpError(404, `The model \`${body.model}\` does not exist; this server serves \`${model.modelId}\``, 'invalid_request_error', 'model', 'model_not_found');
    }
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    counters.requests += 1;
    if (expectedKey) {
      const given = Buffer.from(String(request.headers.authorization ?? ''));
      if (given.length !== expectedKey.length || !timingSafeEqual(given, expectedKey)) {
        request.resume();
        throw new OpenAIHttpError(401, 'Incorrect or missing API key: send Authorization: Bearer <key> (the key is in the variable named by serve --api-key-env)', 'invalid_request_error', null, 'invalid_api_key');
      }
    }
    const path = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, { object: 'list', data: [modelCard()] });
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (id !== model.modelId) throw new OpenAIHttpError(404, `The model \`${id}\` does not exist`, 'invalid_request_error', 'model', 'model_not_found');
      return sendJson(response, 200, modelCard());
    }
    if (method === 'GET' && (path === '/health' || path === '')) return sendJson(response, 200, { status: 'ok', model: model.modelId });
    if (path === '/v1/chat/completions' || path === '/v1/completions') {
      if (method !== 'POST') throw new OpenAIHttpError(405, `${method} is not allowed on ${path}; use POST`);
      const idempotencyKey = idempotencyKeyOf(request.headers['idempotency-key']);
      const body = await readJsonBody(request, bodyLimit);
      checkModel(body);
      const fingerprint = `${path} ${JSON.stringify(body)}`;
      if (path === '/v1/completions') {
        const { value, replayed } = await idempotency.run(idempotencyKey, fingerprint, () => admit(() => handleCompletions(body, model, engine, options.maxTopLogprobs)));
        sendJson(response, 200, value.answer);
        return replayed ? void (counters.replayed += 1) : recordAnswer(value.key);
      }
      const parsed = parseChatRequest(body, defaultMaxTokens, model.contextLength, options.maxTopLogprobs);
      const { value: generation, replayed } = await idempotency.run(idempotencyKey, fingerprint, () => admit(() => engine.generate(parsed.request)));
      if (parsed.stream) streamChatCompletion(response, model.modelId, generation, { logprobs: parsed.logprobs, topLogprobs: parsed.request.topLogprobs, includeUsage: parsed.includeUsage });
      else sendChatCompletion(response, model.modelId, generation, parsed.logprobs, parsed.request.topLogprobs);
      return replayed ? void (counters.replayed += 1) : recordAnswer(requestKey(path, { ...parsed.request, logprobs: parsed.logprobs }));
    }
    request.resume();
    throw new OpenAIHttpError(404, `Unknown route ${method} ${path}; this server implements GET /v1/models, POST /v1/chat/completions and POST /v1/completions`, 'invalid_request_error', null, 'unknown_url');
  }

  const countError = (status: number | string): void => {
    counters.errors[status] = (counters.errors[status] ?? 0) + 1;
  };

  // Node checks the request and header timeouts every `connectionsCheckingInterval`.
  const server = createServer({ requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(requestTimeout / 4))) }, (request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!(error instanceof OpenAIHttpError) && (request.destroyed || response.destroyed)) {
        // The client went away (or was timed out by clientError below) while sending its body.
        countError('aborted');
        return;
      }
      const status = error instanceof OpenAIHttpError ? error.status : 500;
      countError(status);
      if (status === 500) options.logger?.error(`serve: ${error instanceof Error ? error.message : String(error)}`);
      if (!request.complete) closeAfterAnswer(request, response);
      sendError(response, error);
    });
  });
  server.keepAliveTimeout = 30_000;
  // An error answered before the request's body was all received (413, 401, ...): the rest of the
  // body is still on its way, and the connection cannot carry another request before it has been
  // read to its end. Keeping it alive let a client send its next request behind a 5 MiB body the
  // server was discarding, and get the 408 of that body as its answer. So the answer says
  // `Connection: close`, and the socket is closed gracefully: our side ends after the answer, the
  // rest of the body is read and discarded until the client closes (at most LINGER_MS), so that
  // the client reads the answer instead of a reset.
  const closeAfterAnswer = (request: IncomingMessage, response: ServerResponse): void => {
    request.resume();
    if (response.headersSent) return;
    response.setHeader('connection', 'close');
    const socket = request.socket;
    socket.destroySoon = () => {
      if (socket.destroyed) return;
      socket.end();
      const timer = setTimeout(() => socket.destroy(), LINGER_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    };
  };
  // Requests that never reach a route: a client too slow to send its request (408), headers too
  // large (431), bytes that are not HTTP (400). Answered in OpenAI's error shape, then closed.
  // Node checks the timeouts on a timer, and decoding blocks the event loop: after a long decode
  // the check can run before the socket's waiting bytes are read. So a timeout is confirmed after
  // the next I/O poll (setImmediate): if the socket received bytes meanwhile, the client was not
  // slow; its request gets one more request timeout, checked the same way, before the 408.
  const secondChance = new WeakSet<Socket>();
  const answerClientError = (socket: Socket, status: number, message: string): void => {
    countError(status);
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !pending?.headersSent) {
      const text = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: status === 408 ? 'request_timeout' : null } });
      const reason = status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      socket.destroySoon();
    } else socket.destroy();
  };
  const timedOut = (socket: Socket): void => {
    const before = socket.bytesRead;
    setImmediate(() => {
      if (socket.destroyed) return;
      if (socket.bytesRead > before && !secondChance.has(socket)) {
        secondChance.add(socket);
        // The request that timed out is the latest one seen if it was incomplete, else one whose
        // headers have not arrived yet.
        const request = latestRequest.get(socket);
        const inProgress = request !== undefined && !request.complete;
        const timer = setTimeout(() => {
          if (socket.destroyed) return;
          const current = latestRequest.get(socket);
          if (current !== request) return; // a later request began: the one that timed out was received
          if (inProgress && request.complete) return;
          timedOut(socket);
        }, requestTimeout);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
        return;
      }
      answerClientError(socket, 408, `request not received within ${requestTimeout} ms`);
    });
  };
  const latestRequest = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (request: IncomingMessage) => latestRequest.set(request.socket, request));
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return timedOut(socket);
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      countError('aborted');
      return socket.destroy();
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') return answerClientError(socket, 431, 'request headers too large');
    answerClientError(socket, 400, `malformed HTTP request (${error.code ?? error.message})`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    baseURL: `http://${urlHost}:${address.port}/v1`,
    host: address.address,
    port: address.port,
    stats: () => ({
      ...counters,
      errors: { ...counters.errors },
      duplicateAnswers: [...answers.values()].filter((count) => count > 1).length,
      distinctKeys: answers.size,
      batchSizes: [...batcher.batchSizes],
      queued: queue.now,
      queueHighWater: queue.highWater,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
