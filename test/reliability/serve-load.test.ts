// `easydistill serve` (the built CLI, its own process) under a short burst of the load generator of
// bench/reliability/serve-load.ts: concurrent clients on loopback with oversized bodies, slow and
// stalled senders, malformed requests and bytes that are not HTTP mixed in. The server stays up,
// answers every request (as asked, or with a 408 in OpenAI's shape when decoding kept it from
// reading a request in time), rejects bad ones with their status and an OpenAI-style error, and
// its memory stays bounded. Uses the built CLI (`npx nx run-many -t build` first).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runServeLoad } from '../support/serve-load';
import { startServeProcess } from '../support/serve-process';

const model = fileURLToPath(new URL('../../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));

describe('easydistill serve under load', () => {
  it('20 clients for 10 s: stays up, answers well-formed requests, rejects the rest in OpenAI shape, bounded memory', async () => {
    const bodyLimitBytes = 256 * 1024;
    const requestTimeoutMs = 30_000;
    const server = await startServeProcess(['--model', model, '--backend', 'cpu', '--max-batch-size', '32', '--request-timeout', String(requestTimeoutMs), '--body-limit', String(bodyLimitBytes)]);
    try {
      const report = await runServeLoad({ origin: server.origin, model: 'tiny-qwen2', clients: 20, durationMs: 10_000, seed: 5, bodyLimitBytes, requestTimeoutMs, clientTimeoutMs: 240_000, serverPid: server.pid, sampleEveryMs: 500 });
      console.log(`serve load: ${JSON.stringify({ wellFormed: report.wellFormed, bad: report.bad, wallMs: report.wallMs, rssMiB: report.rss.map((sample) => sample.mib), kinds: report.kinds })}`);
      expect(server.alive()).toBe(true);
      expect(report.wellFormed.sent).toBeGreaterThan(10);
      expect(report.bad.sent).toBeGreaterThan(5);
      // Every exchange ended with an answer from the server: the expected one, or (a prompt client
      // whose bytes waited while decoding blocked the server for longer than the request timeout,
      // seen on a machine loaded ~10x past its cores) a 408 in OpenAI's shape. No resets, no
      // client timeouts, no other status.
      for (const [kind, entry] of Object.entries(report.kinds)) {
        const statuses = Object.keys(entry.statuses).filter((status) => !/^(200|400|404|405|408|413)\b/.test(status));
        expect(statuses, `${kind}: ${entry.examples.join(' | ')}`).toEqual([]);
        for (const example of entry.examples) expect(example, kind).toMatch(/^408[^:]*: \{"error":\{"message":"request not received within \d+ ms","type":"invalid_request_error"/);
      }
      // Most are answered as asked even here; the 408s above are the open part of issue 11 (see
      // bench/reliability/results.md), so the floor is loose and the figures are printed.
      expect(report.wellFormed.answered / report.wellFormed.sent).toBeGreaterThanOrEqual(0.6);
      expect(report.bad.rejectedInOpenAIShape / report.bad.sent).toBeGreaterThanOrEqual(0.6);
      // Bounded: oversized bodies are refused, not buffered; the server stays within a few hundred MiB.
      expect(Math.max(...report.rss.map((sample) => sample.mib))).toBeLessThan(report.rss[0]!.mib + 400);
    } finally {
      const stopped = await server.stop();
      expect(stopped.code, stopped.output).toBe(0);
    }
  }, 300_000);
});
