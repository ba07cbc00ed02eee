import * as tf from '@tensorflow/tfjs';
import { LlmError } from '../errors/llm-error';
import { registerTrainingKernels } from '../kernels/training-kernels';
import { useThreadedWasm, wasmThreadCount } from './wasm-threads';

/** Backends this package can run on, fastest first. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** The automatic order: first one that starts wins. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

// Dynamic imports through a variable so bundlers and tsc leave optional packages alone.
const importOptional = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

/** Options of `initBackend`. */
export interface BackendOptions {
  /**
   * XNNPACK threads of the `wasm` backend (default `$EASYDISTILL_WASM_THREADS`, else 1; at most
   * 8; more than 1 starts tfjs's multi-threaded build). Takes effect when the wasm backend first starts.
   */
  wasmThreads?: number;
}

async function prepare(name: BackendName, options: BackendOptions): Promise<void> {
  switch (name) {
    case 'tensorflow': {
      try {
        await importOptional('@tensorflow/tfjs-node-gpu');
      } catch {
        await importOptional('@tensorflow/tfjs-node');
      }
      return;
    }
    case 'webgpu': {
      const globals = globalThis as { navigator?: { gpu?: unknown } };
      if (!globals.navigator?.gpu) {
        const dawn = (await importOptional('webgpu')) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
        Object.assign(globalThis, dawn.globals);
        const gpu = dawn.create([]);
        if (globals.navigator) Object.defineProperty(globals.navigator, 'gpu', { value: gpu, configurable: true });
        else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      }
      const gpu = (globalThis as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } }).navigator.gpu;
      if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter (no GPU or driver)');
      await importOptional('@tensorflow/tfjs-backend-webgpu');
      return;
    }
    case 'wasm': {
      const wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
      useThreadedWasm(wasmPackage as unknown as Parameters<typeof useThreadedWasm>[0], wasmThreadCount(options.wasmThreads));
      return;
    }
    case 'cpu':
      return;
  }
}

async function start(name: BackendName, options: BackendOptions): Promise<void> {
  await prepare(name, options);
  registerTrainingKernels();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

/**
 * Selects the TensorFlow.js backend: `name`, else `$EASYDISTILL_BACKEND`, else the first of
 * tensorflow (tfjs-node-gpu / tfjs-node, if installed) > webgpu (npm `webgpu`, with a GPU) >
 * wasm > cpu that starts. An explicitly requested backend that cannot start throws `LlmError`
 * (`backend-unavailable`) instead of silently running elsewhere. Returns the backend chosen.
 * `wasm` can run tfjs-backend-wasm's multi-threaded SIMD build (see `options.wasmThreads`).
 */
export async function initBackend(name?: BackendName, options: BackendOptions = {}): Promise<BackendName> {
  const requested = (name ?? process.env.EASYDISTILL_BACKEND) as BackendName | undefined;
  if (requested) {
    if (!BACKEND_ORDER.includes(requested)) {
      throw new LlmError('backend-unknown', `Backend "${requested}" (from ${name ? 'initBackend()' : 'EASYDISTILL_BACKEND'}) is not one of ${BACKEND_ORDER.join(', ')}.`);
    }
    if (tf.getBackend() === requested) return requested;
    try {
      await start(requested, options);
    } catch (error) {
      throw new LlmError('backend-unavailable', `Backend "${requested}" cannot start: ${(error as Error).message}. Install its package (tensorflow: @tensorflow/tfjs-node; webgpu: webgpu + a GPU) or choose another.`, { cause: error });
    }
    return requested;
  }
  const failures: string[] = [];
  for (const candidate of BACKEND_ORDER) {
    try {
      await start(candidate, options);
      return candidate;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new LlmError('backend-unavailable', `No TensorFlow.js backend could start (${failures.join('; ')}).`);
}
