import type { IncomingMessage } from 'node:http';
import { OpenAIHttpError } from './openai-http-error';

/** Reads a JSON request body of at most `limitBytes` (413 beyond, 400 when it is not a JSON object). */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    throw new OpenAIHttpError(413, `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes (serve --body-limit)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      request.resume();
      throw new OpenAIHttpError(413, `request body exceeds the limit of ${limitBytes} bytes (serve --body-limit)`);
    }
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new OpenAIHttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OpenAIHttpError(400, 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
