import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '@easydistill/llm-tfjs';
import type { ServedGeneration, ServedGenerateRequest, ServedModel, ServedScore, ServedScoreRequest } from './served-model';
import { deserializeError, type WorkerReply, type WorkerRequest, type WorkerStart } from './worker-protocol';

/**
 * The worker thread's entry. Built: dist/model-worker.js beside the bundle that holds this code.
 * From source (vitest, tsx: this file is .ts): src/serve/model-worker.ts, started through tsx's
 * loader with the `@easydistill/source` condition, so workspace packages resolve as they do here.
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./model-worker.js', here) };
  const entry = new URL('./model-worker.ts', here);
  const resolved = createRequire(fileURLToPath(here)).resolve('tsx/esm/api');
  // The require condition resolves tsx's CommonJS api; the ESM one lies beside it.
  const api = resolved.replace(/\.cjs$/, '.mjs');
  if (!existsSync(api)) throw new Error(`running from source needs tsx's ESM api (looked for ${api})`);
  const bootstrap = `const { register } = await import(${JSON.stringify(pathToFileURL(api).href)}); register(); await import(${JSON.stringify(entry.href)});`;
  return { url: new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), execArgv: ['--conditions=@easydistill/source'] };
}

/**
 * A Hugging Face model (llm-tfjs) that loads and decodes in its own worker thread. `easydistill
 * serve` uses it so that the HTTP thread stays free to read, parse and answer requests (and to
 * refuse bad ones) however long a batch decodes; calls are posted to the worker and answered in
 * the order the worker finishes them (it runs one call at a time: the server's batcher sends one
 * batch at a time).
 */
export class WorkerServedModel implements ServedModel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  private stopped: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly modelId: string,
    readonly tokenizerId: string,
    readonly contextLength: number,
    readonly vocabSize: number | undefined,
  ) {
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.stop(new Error(`the model worker failed: ${error.message}`)));
    worker.on('exit', (code) => this.stop(new Error(`the model worker exited (code ${code})`)));
  }

  /** Starts the worker and loads `reference` (folder or Hub id) in it; rejects with the load's error. */
  static async start(reference: string, options: { backend?: BackendName; modelId?: string; revision?: string } = {}): Promise<WorkerServedModel> {
    const { url, execArgv } = workerEntry();
    const start: WorkerStart = { reference, ...options };
    const worker = new Worker(url, { workerData: start, ...(execArgv ? { execArgv } : {}) });
    const listeners: { message?: (reply: WorkerReply) => void; error?: (error: Error) => void; exit?: (code: number) => void } = {};
    const ready = await new Promise<Extract<WorkerReply, { type: 'ready' }>>((resolve, reject) => {
      listeners.message = (reply) => {
        if (reply.type === 'ready') resolve(reply);
        else if (reply.type === 'failed') reject(deserializeError(reply.error));
      };
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the model worker exited (code ${code}) before the model was loaded`));
      worker.on('message', listeners.message).on('error', listeners.error).on('exit', listeners.exit);
    })
      .catch(async (error: unknown) => {
        await worker.terminate();
        throw error;
      })
      .finally(() => worker.off('message', listeners.message!).off('error', listeners.error!).off('exit', listeners.exit!));
    return new WorkerServedModel(worker, ready.modelId, ready.tokenizerId, ready.contextLength, ready.vocabSize);
  }

  generateBatch(requests: readonly ServedGenerateRequest[]): Promise<Array<ServedGeneration | Error>> {
    return this.call<Array<{ value: ServedGeneration } | { error: Parameters<typeof deserializeError>[0] }>>((id) => ({ type: 'generateBatch', id, requests })).then((results) =>
      results.map((result) => ('error' in result ? deserializeError(result.error) : result.value)),
    );
  }

  score(request: ServedScoreRequest): Promise<ServedScore> {
    return this.call<ServedScore>((id) => ({ type: 'score', id, request }));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.stopped) {
        const closed = new Promise<void>((resolve) => {
          this.worker.on('message', (reply: WorkerReply) => reply.type === 'closed' && resolve());
          this.worker.once('exit', () => resolve());
        });
        this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
        await closed;
      }
      await this.worker.terminate();
      this.stop(new Error('the model worker exited (the model was closed)'));
    })();
    return this.closing;
  }

  private call<T>(message: (id: number) => WorkerRequest): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage(message(id));
    });
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type !== 'result' && reply.type !== 'error') return;
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    if (reply.type === 'result') entry.resolve(reply.value as never);
    else entry.reject(deserializeError(reply.error));
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const entry of this.pending.values()) entry.reject(this.stopped);
    this.pending.clear();
  }
}
