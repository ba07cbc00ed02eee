// An OpenAI-compatible stub on 127.0.0.1 that answers every POST /v1/chat/completions after a fixed
// delay (default 200 ms) with a well-formed chat completion. Run as a child process by run.ts so
// that its CPU time is not counted as the client's. Prints its base URL on stdout once listening.
import { createServer } from 'node:http';

const delayMs = Number(process.argv[2] ?? 200);
let served = 0;
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    setTimeout(() => {
      served += 1;
      const text = JSON.stringify({
        id: `chatcmpl-${served}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: `Answer ${served} to: ${body.messages.at(-1).content}`, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 },
      });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    }, delayMs);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/v1\n`);
});
process.on('message', (message) => {
  if (message === 'stats') process.send({ served });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
