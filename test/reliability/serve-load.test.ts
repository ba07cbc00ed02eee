// `easydistill serve` (the built CLI, its own process) under a short burst of the load generator of
// bench/reliability/serve-load.ts: concurrent clients on loopback with oversized bodies, slow and
// stalled senders, malformed requests and bytes that are not HTTP mixed in. The server stays up,
// answers every well-formed request 200 (none may get a 408, a 503 or an error: the model decodes
// in a worker thread, so the HTTP thread always reads requests in time), rejects every bad one with
// its status and an OpenAI-style error, and its memory stays bounded. Uses the built CLI
// (`npx nx run-many -t build` first).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runServeLoad } from '../support/serve-load';
import { startServeProcess } from '../support/serve-process';

const model = fileURLToPath(new URL('../../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));

describe('easydistill serve under load', () => {
  it('20 clients for 10 s: stays up, answers every well-formed request 200, rejects every bad one in OpenAI shape, bounded memory', async () => {
    const bodyLimitBytes = 256 * 1024;
    const requestTimeoutMs = 30_000;
    const server = await startServeProcess(['--model', model, '--backend', 'cpu', '--max-batch-size', '32', '--request-timeout', String(requestTimeoutMs), '--body-limit', String(bodyLimitBytes)]);
    try {
      const report = await runServeLoad({ origin: server.origin, model: 'tiny-qwen2', clients: 20, durationMs: 10_000, seed: 5, bodyLimitBytes, requestTimeoutMs, clientTimeoutMs: 240_000, serverPid: server.pid, sampleEveryMs: 500 });
      console.log(`serve load: ${JSON.stringify({ wellFormed: report.wellFormed, bad: report.bad, wallMs: report.wallMs, rssMiB: report.rss.map((sample) => sample.mib), kinds: report.kinds })}`);
      expect(server.alive()).toBe(true);
      expect(report.wellFormed.sent).toBeGreaterThan(10);
      expect(report.bad.sent).toBeGreaterThan(5);
      // Every exchange ended as it should: well-formed ones 200 with a valid body (a 408, 503,
      // reset or client timeout on any of them fails here), bad ones their own status in OpenAI's
      // shape (the 408s are the stalled senders').
      const wellFormed = ['chat', 'stream', 'models', 'slow-body'] as const;
      for (const kind of wellFormed) expect(report.kinds[kind].statuses, `${kind}: ${report.kinds[kind].examples.join(' | ')}`).toEqual({ 200: report.kinds[kind].sent });
      for (const [kind, entry] of Object.entries(report.kinds)) expect(entry.unexpected, `${kind}: ${entry.examples.join(' | ')}`).toBe(0);
      expect(report.wellFormed.answered).toBe(report.wellFormed.sent);
      expect(report.bad.rejectedInOpenAIShape).toBe(report.bad.sent);
      expect(report.kinds.stalled.statuses).toEqual(report.kinds.stalled.sent > 0 ? { 408: report.kinds.stalled.sent } : {});
      // Bounded: oversized bodies are refused, not buffered; the server stays within a few hundred MiB.
      expect(Math.max(...report.rss.map((sample) => sample.mib))).toBeLessThan(report.rss[0]!.mib + 400);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.output).toBe(0);
    }
  }, 300_000);
});
