import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** How one failed attempt is handled: retried after `delayMs`, or final with its reason. */
export interface RetryDecision {
  retry: boolean;
  /** Human-readable reason recorded on the rejected row (`HTTP 429 rate limited`, `timeout after 30000 ms`). */
  reason: string;
  /** Server-requested wait (Retry-After), when it sent one. */
  retryAfterMs?: number;
}

/** A response that parsed as JSON but is not the shape the OpenAI API documents. Never retried. */
export class MalformedResponseError extends Error {
  readonly code = 'MALFORMED_RESPONSE';
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/**
 * A body that is not JSON at all where JSON was expected (a 200 carrying a gateway's HTML page, or
 * plain text): the endpoint, or something in front of it, failed for the moment. Retried, like a
 * transfer cut short; a JSON answer of the wrong shape stays a `MalformedResponseError`.
 */
export class NotJsonResponseError extends Error {
  readonly code = 'NOT_JSON_RESPONSE';
  constructor(body: string) {
    super(`response body is not JSON: ${JSON.stringify(body.slice(0, 120))}`);
    this.name = 'NotJsonResponseError';
  }
}

/** Node and undici codes of a connection that failed or closed mid-request or mid-body. */
const transientNetworkCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * The code of a network failure anywhere in an error's `cause` chain, or undefined. undici's fetch
 * reports a body cut short as `TypeError: terminated` whose cause is the socket error.
 */
function transientNetworkCode(error: unknown): string | undefined {
  const chain: unknown[] = [];
  for (let current: unknown = error; current && chain.length < 5; current = (current as { cause?: unknown }).cause) chain.push(current);
  for (const link of chain) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && transientNetworkCodes.has(code)) return code;
  }
  for (const link of chain) {
    if (link instanceof TypeError && (link.message === 'terminated' || link.message === 'fetch failed')) return link.message;
  }
  return undefined;
}

const retryableStatuses = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/**
 * Classifies an error thrown by one attempt of an OpenAI SDK call (the SDK's own retries are off).
 * Retried: 408/409/425/429/5xx, connection errors (resets, refused), timeouts, bodies cut short
 * (the socket closed or reset mid-body, whichever layer reports it), and bodies that are not JSON
 * at all (invalid JSON, or a gateway's HTML page). Not retried: other 4xx (bad request, auth,
 * unknown model) and well-formed JSON of the wrong shape (`MalformedResponseError`).
 */
export function classifyAttemptError(error: unknown, timeoutMs: number): RetryDecision {
  if (error instanceof APIUserAbortError) return { retry: false, reason: 'aborted' };
  if (error instanceof APIConnectionTimeoutError) return { retry: true, reason: `timeout after ${timeoutMs} ms` };
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? error.message;
    return { retry: true, reason: `connection error (${detail})` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const message = errorMessageOf(error);
    const retryAfterMs = retryAfterFromHeaders(error.headers);
    return {
      retry: retryableStatuses.has(error.status) || error.status >= 500,
      reason: `HTTP ${error.status}${message ? `: ${message}` : ''}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (error instanceof MalformedResponseError) return { retry: false, reason: error.message };
  if (error instanceof NotJsonResponseError) return { retry: true, reason: error.message };
  if (error instanceof SyntaxError) return { retry: true, reason: `response body is not valid JSON (${error.message})` };
  const message = error instanceof Error ? error.message : String(error);
  const network = transientNetworkCode(error);
  if (network !== undefined) return { retry: true, reason: `connection error mid-response (${network === message ? network : `${network}: ${message}`})` };
  return { retry: false, reason: message };
}

function errorMessageOf(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message.slice(0, 300);
  return '';
}

/** `retry-after-ms` (OpenAI, Azure) or `retry-after` in seconds or as an HTTP date; undefined if absent or unreadable. */
export function retryAfterFromHeaders(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && milliseconds.trim() !== '' && Number.isFinite(Number(milliseconds))) {
    return Math.max(0, Number(milliseconds));
  }
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Wait before attempt `attempt + 1` (attempt counts from 1): exponential backoff with "full jitter"
 * (uniform in [base/2, base], base = initial * 2^(attempt-1), capped at `maxMs`). A server's
 * Retry-After is honoured: the wait is never shorter than it (plus up to 10% jitter so that clients
 * told the same time do not return together), capped at `maxRetryAfterMs`.
 */
export function backoffDelayMs(options: {
  attempt: number;
  initialMs: number;
  maxMs: number;
  retryAfterMs?: number;
  maxRetryAfterMs: number;
  random?: () => number;
}): number {
  const random = options.random ?? Math.random;
  const base = Math.min(options.maxMs, options.initialMs * 2 ** (options.attempt - 1));
  const backoff = base / 2 + random() * (base / 2);
  if (options.retryAfterMs === undefined) return backoff;
  const told = Math.min(options.retryAfterMs, options.maxRetryAfterMs);
  return Math.max(backoff, told + random() * told * 0.1);
}
