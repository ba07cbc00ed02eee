import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { LlmError } from '../errors/llm-error';

/** The part of `@tensorflow/tfjs-backend-wasm`'s exports used here (stable across tfjs 4.x). */
interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(count: number): void;
  getThreadsCount(): number;
}

interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number | void;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref(): void }[] };
}

let threadedBackendThreads = 1;

/** Threads of the threaded wasm build this process started (1 when it runs the single-threaded build). */
export function threadedWasmThreads(): number {
  return threadedBackendThreads;
}

/** Most threads the tfjs 4.x wasm build can run: it starts a pool of 8 workers. */
export const MAX_WASM_THREADS = 8;

/**
 * The number of XNNPACK threads the `wasm` backend uses: `requested`, else
 * `$EASYDISTILL_WASM_THREADS`, else 1; at most 8. 1 means the single-threaded SIMD build tfjs
 * picks by itself in Node. Threads are opt-in: the pool's threads wait for each other at the end
 * of every parallel kernel, and on a machine with more runnable work than cores that made a
 * training step 3-5x slower than one thread (bench/llm-forward-backward/NOTES.md).
 */
export function wasmThreadCount(requested?: number): number {
  const fromEnv = process.env.EASYDISTILL_WASM_THREADS;
  const raw = requested ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : 1);
  if (!Number.isInteger(raw) || raw < 1) {
    throw new LlmError('option-invalid', `wasm thread count ${requested !== undefined ? `(wasmThreads option) ${requested}` : `(EASYDISTILL_WASM_THREADS) "${fromEnv}"`} must be a whole number >= 1.`);
  }
  return Math.min(raw, MAX_WASM_THREADS);
}

/**
 * Writes the pthread worker script of the threaded build to a file a Node worker can start
 * from. The package ships it as a JS string for browsers (`URL.createObjectURL(new Blob(...))`),
 * which Node's `worker_threads` cannot load. Keyed by content hash; written atomically.
 */
function workerFile(wasmOut: string, load: NodeRequire): string {
  const { wasmWorkerContents } = load(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The string was written into a template literal: its "\n" escapes became newlines (tfjs's own loader undoes this the same way).
  const contents = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const dir = join(os.tmpdir(), `easydistill-tfjs-wasm-${hash}`);
  const file = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== contents) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
  }
  return file;
}

/**
 * Starts tfjs-backend-wasm's multi-threaded SIMD build in Node, which tfjs itself never picks
 * there (its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false under Node, tensorflow/tfjs#3830):
 * the Emscripten module is loaded from the package's `wasm-out/` folder with a worker script Node
 * can start and `mainScriptUrlOrBlob` as a file path. The build sizes its XNNPACK thread pool as
 * `min(requested, logical CPUs / 2)` (it assumes two hyper-threads per core), so the module is
 * evaluated with an `os.cpus()` that reports `2 × threads` CPUs: the pool then has `threads`
 * threads. Returns a `BackendWasm` on that module; the wasm kernels registered by the package
 * work on it unchanged.
 */
export async function createThreadedWasmBackend(wasmPackage: WasmPackage, threads: number): Promise<tf.KernelBackend> {
  const load = createRequire(import.meta.url);
  const wasmOut = join(dirname(load.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainScript = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const worker = workerFile(wasmOut, load);
  const fakeOs = Object.create(os, { cpus: { value: () => Array.from({ length: 2 * threads }, () => os.cpus()[0]) } }) as typeof os;
  const moduleRequire = (name: string): unknown => (name === 'os' ? fakeOs : load(name));
  const holder: { exports: unknown } = { exports: {} };
  // The file is a CommonJS module; evaluated with its own require, module and paths.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', '__filename', '__dirname', readFileSync(mainScript, 'utf8'))(
    moduleRequire, holder, holder.exports, mainScript, wasmOut,
  );
  const factory = holder.exports as (config: Record<string, unknown>) => Promise<EmscriptenModule>;
  const module = await factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : join(wasmOut, path)),
    mainScriptUrlOrBlob: mainScript,
  });
  // The same bridge tfjs-backend-wasm's own init() builds.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  if (process.env.LLM_TFJS_DEBUG_THREADS) console.error('[wasm-threads] module ready');
  wasmPackage.setThreadsCount(threads);
  const backend = new wasmPackage.BackendWasm(module);
  threadedBackendThreads = threads;
  if (process.env.LLM_TFJS_DEBUG_THREADS) console.error('[wasm-threads] backend ready');
  // Running pthreads hold a reference on their Node worker (Emscripten calls worker.ref() when
  // it starts one): the pool's threads live as long as the process, so release them, or Node
  // would never exit.
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
  return backend;
}

/**
 * Replaces the `wasm` backend factory with one that starts the threaded build with `threads`
 * XNNPACK threads, falling back to the package's own (single-threaded SIMD) factory with a
 * warning if the threaded build cannot start. No-op for `threads` 1 or when a `wasm` backend
 * is already running (it keeps its threads).
 */
export function useThreadedWasm(wasmPackage: WasmPackage, threads: number): void {
  if (threads <= 1 || tf.findBackend('wasm')) return;
  const original = tf.findBackendFactory('wasm');
  if (!original) return;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        return await createThreadedWasmBackend(wasmPackage, threads);
      } catch (error) {
        process.emitWarning(`@easydistill/llm-tfjs: the multi-threaded wasm build could not start (${(error as Error).message}); using the single-threaded one.`);
        return original();
      }
    },
    2,
  );
}

/** XNNPACK threads of the running `wasm` backend (1 for the single-threaded build); undefined when it is not running. */
export async function wasmThreadsInUse(): Promise<number | undefined> {
  if (!tf.findBackend('wasm')) return undefined;
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as Pick<WasmPackage, 'getThreadsCount'>;
  try {
    return wasmPackage.getThreadsCount();
  } catch {
    return undefined;
  }
}
