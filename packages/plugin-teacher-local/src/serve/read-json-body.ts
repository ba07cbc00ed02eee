import type { IncomingMessage } from 'node:http';
import { OpenAIHttpError } from './openai-http-error';

/** Reads a JSON request body of at most `limitBytes` (413 beyond, 400 when it is not a JSON object). */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    throw new OpenAIHttpError(413, `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes (serve --body-limit)`);
  }
  // Listeners, not `for await`: leaving an async iterator early destroys the request and its
  // socket before the 413 can be sent; here the rest of an oversized body is read and discarded.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off('data', onData).off('end', onEnd).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      done();
      request.resume();
      reject(new OpenAIHttpError(413, `request body exceeds the limit of ${limitBytes} bytes (serve --body-limit)`));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onClose = () => {
      done();
      reject(new Error('the client closed the connection before sending the whole request body'));
    };
    request.on('data', onData).on('end', onEnd).on('close', onClose);
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new OpenAIHttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OpenAIHttpError(400, 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
