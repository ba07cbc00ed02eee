import { isAbsolute, resolve } from 'node:path';
import type { BackendName } from '@easydistill/llm-tfjs';
import { GgufModel } from './gguf/gguf-model';
import { HfModel } from './hf/hf-model';
import type { ServedModel } from './serve/served-model';
import { WorkerServedModel } from './serve/worker-served-model';

/** How `easydistill serve` and the local teachers open a model reference. */
export interface OpenModelOptions {
  /** Name the server lists and answers to (default: the folder or file name, or the Hub id). */
  modelId?: string;
  backend?: BackendName;
  revision?: string;
  contextSize?: number;
  gpuLayers?: 'auto' | 'max' | number;
  /** GGUF: sequences decoded together. */
  parallel?: number;
  /** GGUF: CPU threads. */
  threads?: number;
  /** Folder relative paths resolve against (default: the working directory). */
  baseDir?: string;
  /**
   * Hugging Face models: load and decode in a worker thread (`easydistill serve` does), so that
   * decoding never blocks this thread's event loop. GGUF models decode off the event loop already.
   */
  worker?: boolean;
}

function looksLikePath(reference: string): boolean {
  return reference.startsWith('.') || reference.startsWith('/') || reference.startsWith('~') || /^[A-Za-z]:[\\/]/.test(reference);
}

/**
 * Opens `reference` as a served model: a `.gguf` file through node-llama-cpp, otherwise a Hugging
 * Face folder or Hub id (`owner/name`) through llm-tfjs.
 */
export async function openServedModel(reference: string, options: OpenModelOptions = {}): Promise<ServedModel> {
  const path = looksLikePath(reference) || reference.toLowerCase().endsWith('.gguf') ? (isAbsolute(reference) ? reference : resolve(options.baseDir ?? process.cwd(), reference)) : reference;
  if (path.toLowerCase().endsWith('.gguf')) {
    return GgufModel.load(path, {
      ...(options.modelId ? { modelId: options.modelId } : {}),
      ...(options.contextSize ? { contextSize: options.contextSize } : {}),
      ...(options.gpuLayers !== undefined ? { gpuLayers: options.gpuLayers } : {}),
      ...(options.parallel ? { parallel: options.parallel } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
    });
  }
  const hfOptions = {
    ...(options.modelId ? { modelId: options.modelId } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.revision ? { revision: options.revision } : {}),
  };
  return options.worker ? WorkerServedModel.start(path, hfOptions) : HfModel.load(path, hfOptions);
}
