import type { ServerResponse } from 'node:http';

/** An error answered in OpenAI's JSON shape: `{ "error": { message, type, param, code } }`. */
export class OpenAIHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly param: string | null = null,
    readonly errorCode: string | null = null,
    /** Extra response headers (e.g. Retry-After on a 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'OpenAIHttpError';
  }
}

/** Writes `error` in OpenAI's shape (any non-OpenAIHttpError becomes a 500 with its message). */
export function sendError(response: ServerResponse, error: unknown): void {
  const known = error instanceof OpenAIHttpError ? error : new OpenAIHttpError(500, error instanceof Error ? error.message : String(error));
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, known.status, {
    error: { message: known.message, type: known.type, param: known.param, code: known.errorCode },
  }, known.headers);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
