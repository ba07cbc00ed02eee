// `easydistill serve` under load: the built CLI serves the tiny fixture model (cpu) in its own
// process; test/support/serve-load.ts drives it with CLIENTS concurrent clients for DURATION
// seconds, well-formed requests mixed with oversized bodies, slow and stalled senders, malformed
// requests and bytes that are not HTTP. Prints a Markdown report (--json <path> writes the JSON).
//
//   npx nx run-many -t build        # once: the CLI and plugins run from dist
//   npx tsx bench/reliability/serve-load.ts [--clients 200] [--seconds 60] [--json out.json]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runServeLoad } from '../../test/support/serve-load';
import { startServeProcess } from '../../test/support/serve-process';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '200' }, seconds: { type: 'string', default: '60' }, json: { type: 'string' }, 'request-timeout': { type: 'string', default: '30000' } } });
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const requestTimeoutMs = Number(values['request-timeout']);
const bodyLimitBytes = 4 * 1024 * 1024;
const model = fileURLToPath(new URL('../../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));

const server = await startServeProcess(['--model', model, '--backend', 'cpu', '--max-batch-size', '32', '--request-timeout', String(requestTimeoutMs), '--body-limit', String(bodyLimitBytes)]);
const report = await runServeLoad({ origin: server.origin, model: 'tiny-qwen2', clients, durationMs: seconds * 1000, seed: 2026, bodyLimitBytes, requestTimeoutMs, serverPid: server.pid, sampleEveryMs: 1000 }).catch(async (error: unknown) => {
  await server.stop();
  throw error;
});
const alive = server.alive();
const stopped = await server.stop();
const rss = report.rss;
const lines = [
  `# easydistill serve under load`,
  '',
  `${clients} clients on loopback for ${seconds} s (wall ${(report.wallMs / 1000).toFixed(1)} s with the last requests in flight); tiny-qwen2 fixture, backend cpu, --max-batch-size 32, --request-timeout ${requestTimeoutMs}, --body-limit ${bodyLimitBytes}; node ${process.version}, ${(await import('node:os')).cpus().length} cores.`,
  '',
  `- server alive at the end: ${alive}; exit after SIGTERM: code ${stopped.code}`,
  `- well-formed requests: ${report.wellFormed.sent} sent, ${report.wellFormed.answered} answered 200 with a valid body, ${report.wellFormed.failed} not`,
  `- bad requests: ${report.bad.sent} sent, ${report.bad.rejectedInOpenAIShape} rejected with the expected status and an OpenAI-style error body, ${report.bad.other} otherwise`,
  `- server RSS: ${rss[0]?.mib} MiB at start, max ${Math.max(...rss.map((sample) => sample.mib))} MiB, ${rss.at(-1)?.mib} MiB at the end`,
  '',
  '| kind | sent | as expected | other | statuses | latency p50 / p95 / max (ms) |',
  '| --- | ---: | ---: | ---: | --- | --- |',
  ...Object.entries(report.kinds).map(([kind, entry]) => `| ${kind} | ${entry.sent} | ${entry.expected} | ${entry.unexpected} | ${Object.entries(entry.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')} | ${entry.latencyMs.p50} / ${entry.latencyMs.p95} / ${entry.latencyMs.max} |`),
  '',
  'Server RSS over time (MiB, every 5 s):',
  '',
  '| s | ' + rss.filter((_, index) => index % 5 === 0).map((sample) => sample.s.toFixed(0)).join(' | ') + ' |',
  '| --- | ' + rss.filter((_, index) => index % 5 === 0).map(() => '---:').join(' | ') + ' |',
  '| RSS | ' + rss.filter((_, index) => index % 5 === 0).map((sample) => sample.mib.toFixed(0)).join(' | ') + ' |',
  '',
  `Server's own count: ${stopped.output.split('\n').filter((line) => line.includes('stopped')).join(' ')}`,
];
for (const [kind, entry] of Object.entries(report.kinds)) for (const example of entry.examples) lines.push(`- unexpected ${kind}: ${example}`);
console.log(lines.join('\n'));
if (values.json) writeFileSync(values.json, JSON.stringify({ ...report, alive, exitCode: stopped.code }, null, 1));
