import { parseArgs } from 'node:util';
import type { CommandIoV1, PluginCommandV1 } from '@easydistill/core';
import type { BackendName } from '@easydistill/llm-tfjs';
import { openServedModel } from '../open-served-model';
import { startServer, type RunningServer } from './start-server';

const usage = `Usage: easydistill serve --model <folder|hub-id|file.gguf> [options]

Serves a local model (student or teacher) behind an OpenAI-compatible HTTP API:
GET /v1/models, POST /v1/chat/completions (stream, logprobs), POST /v1/completions (echo + logprobs).
A Hugging Face model loads and decodes in a worker thread, so HTTP requests are read and answered
(or refused) however long a batch decodes; requests are decoded in the order they arrive.

Options:
  --model <ref>              Hugging Face folder, Hub id (owner/name) or .gguf file (required)
  --host <address>           interface to bind (default 127.0.0.1: this machine only)
  --port <n>                 port (default 8000; 0 picks a free one)
  --api-key-env <NAME>       require "Authorization: Bearer <key>", the key read from variable NAME
  --served-model-name <id>   model name clients send (default: folder/file name or Hub id)
  --backend <name>           TensorFlow.js backend: tensorflow, webgpu, wasm, cpu (default: best available)
  --max-batch-size <n>       most requests decoded together (default 16)
  --max-queue <n>            most requests waiting for the model; more get a 503 with Retry-After (default 256)
  --max-tokens <n>           max_tokens of chat requests that give none (default 256)
  --max-top-logprobs <n>     most top_logprobs a request may ask for (default 20, OpenAI's limit;
                             up to the vocabulary size for top-50 or full-distribution distillation)
  --body-limit <bytes>       largest request body (default 4194304)
  --request-timeout <ms>     most time a client may take to send a request (default 30000; 408 after)
  --context-size <n>         GGUF only: context size in tokens
  --gpu-layers <n|auto|max>  GGUF only: layers offloaded to the GPU (0: CPU only; default auto)
  --parallel <n>             GGUF only: sequences decoded together (default 4)
  --threads <n>              GGUF only: CPU threads (default: the machine's math cores)
  -h, --help                 show this help`;

function positiveInteger(value: string | undefined, name: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < (allowZero ? 0 : 1)) throw new Error(`--${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got "${value}"`);
  return number;
}

/** Waits for SIGINT or SIGTERM (or `signal`), whichever comes first. */
function waitForStop(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const stop = (name: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(name);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    signal?.addEventListener('abort', stop('abort'), { once: true });
  });
}

/**
 * Runs `easydistill serve`: opens the model, serves it until SIGINT/SIGTERM (or `stopSignal`),
 * then closes the server and the model. `onListening` gets the running server (tests).
 */
export async function runServe(argv: string[], io: CommandIoV1, hooks: { stopSignal?: AbortSignal; onListening?: (server: RunningServer) => void } = {}): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, 'api-key-env': { type: 'string' },
        'served-model-name': { type: 'string' }, backend: { type: 'string' }, 'max-batch-size': { type: 'string' }, 'max-queue': { type: 'string' },
        'max-top-logprobs': { type: 'string' }, 'max-tokens': { type: 'string' }, 'body-limit': { type: 'string' }, 'request-timeout': { type: 'string' }, 'context-size': { type: 'string' },
        'gpu-layers': { type: 'string' }, parallel: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`easydistill serve: ${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  const fail = (message: string): number => {
    io.stderr.write(`easydistill serve: ${message}\n`);
    return 2;
  };
  if (typeof values.model !== 'string') return fail('--model is required (a Hugging Face folder, a Hub id or a .gguf file); see --help');
  let apiKey: string | undefined;
  const keyName = values['api-key-env'] as string | undefined;
  if (keyName) {
    apiKey = io.env[keyName];
    if (!apiKey) return fail(`--api-key-env names "${keyName}", which is not set; export ${keyName}=<key> first`);
  }
  let port: number, maxBatchSize: number, maxQueuedRequests: number, maxTopLogprobs: number, defaultMaxTokens: number, bodyLimitBytes: number, requestTimeoutMs: number, contextSize: number | undefined;
  let gpuLayers: 'auto' | 'max' | number | undefined;
  let parallel: number | undefined, threads: number | undefined;
  try {
    port = positiveInteger(values.port as string | undefined, 'port', 8000, true);
    maxBatchSize = positiveInteger(values['max-batch-size'] as string | undefined, 'max-batch-size', 16);
    maxQueuedRequests = positiveInteger(values['max-queue'] as string | undefined, 'max-queue', 256);
    maxTopLogprobs = positiveInteger(values['max-top-logprobs'] as string | undefined, 'max-top-logprobs', 20);
    defaultMaxTokens = positiveInteger(values['max-tokens'] as string | undefined, 'max-tokens', 256);
    bodyLimitBytes = positiveInteger(values['body-limit'] as string | undefined, 'body-limit', 4 * 1024 * 1024);
    requestTimeoutMs = positiveInteger(values['request-timeout'] as string | undefined, 'request-timeout', 30_000);
    contextSize = values['context-size'] === undefined ? undefined : positiveInteger(values['context-size'] as string, 'context-size', 0);
    parallel = values.parallel === undefined ? undefined : positiveInteger(values.parallel as string, 'parallel', 0);
    threads = values.threads === undefined ? undefined : positiveInteger(values.threads as string, 'threads', 0);
    const layers = values['gpu-layers'] as string | undefined;
    gpuLayers = layers === undefined || layers === 'auto' || layers === 'max' ? layers : positiveInteger(layers, 'gpu-layers', 0, true);
  } catch (error) {
    return fail((error as Error).message);
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const backend = values.backend as BackendName | undefined;
  if (backend && !['tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend)) return fail(`--backend: expected tensorflow, webgpu, wasm or cpu, got "${backend}"`);
  io.stderr.write(`easydistill serve: loading ${values.model}…\n`);
  const model = await openServedModel(values.model, {
    baseDir: io.cwd,
    ...(values['served-model-name'] ? { modelId: values['served-model-name'] as string } : {}),
    ...(backend ? { backend } : {}),
    ...(contextSize ? { contextSize } : {}),
    ...(gpuLayers !== undefined ? { gpuLayers } : {}),
    ...(parallel ? { parallel } : {}),
    ...(threads ? { threads } : {}),
    worker: true,
  });
  let server: RunningServer;
  try {
    server = await startServer({ model, host, port, ...(apiKey ? { apiKey } : {}), maxBatchSize, maxQueuedRequests, maxTopLogprobs, defaultMaxTokens, bodyLimitBytes, requestTimeoutMs });
  } catch (error) {
    await model.close();
    return fail(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  }
  if (!apiKey && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
    io.stderr.write(`easydistill serve: warning: listening on ${host} without an API key; anyone who can reach this port can use the model (use --api-key-env)\n`);
  }
  io.stdout.write(`easydistill serve: ${model.modelId} at ${server.baseURL} (Ctrl-C to stop)\n`);
  hooks.onListening?.(server);
  const reason = await waitForStop(hooks.stopSignal);
  await server.close();
  await model.close();
  const stats = server.stats();
  const refused = Object.entries(stats.errors).map(([status, count]) => `${status} ×${count}`).join(', ');
  io.stderr.write(`easydistill serve: stopped (${reason}); ${stats.answered} answered, ${stats.requests} requests; queue at most ${stats.queueHighWater} of ${maxQueuedRequests}${refused ? `; errors ${refused}` : ''}\n`);
  return 0;
}

/** The `easydistill serve` plugin command. */
export const serveCommand: PluginCommandV1 = {
  name: 'serve',
  summary: 'Serve a local model (HF folder, Hub id or GGUF) behind an OpenAI-compatible HTTP API',
  usage,
  run: (argv, io) => runServe(argv, io),
};
