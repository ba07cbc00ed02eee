import { DistillError, type DistillErrorCode } from '@easydistill/core';
import type { ServedGeneration, ServedGenerateRequest, ServedScore, ServedScoreRequest } from './served-model';

/** What the model worker is started with (its workerData). */
export interface WorkerStart {
  reference: string;
  backend?: string;
  modelId?: string;
  revision?: string;
}

/** HTTP thread → model thread. */
export type WorkerRequest =
  | { type: 'generateBatch'; id: number; requests: readonly ServedGenerateRequest[] }
  | { type: 'score'; id: number; request: ServedScoreRequest }
  | { type: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  /** Set for a DistillError (rebuilt as one on the HTTP thread, so the CLI prints it as such). */
  distillCode?: string;
  code?: string;
  /** The stack in the model thread (kept, so an unexpected error still points at its origin). */
  stack?: string;
}

/** Model thread → HTTP thread. */
export type WorkerReply =
  | { type: 'ready'; modelId: string; tokenizerId: string; contextLength: number; vocabSize?: number }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; value: Array<{ value: ServedGeneration } | { error: SerializedError }> | ServedScore }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed' };

export function serializeError(error: unknown): SerializedError {
  if (DistillError.isInstance(error)) return { name: error.name, message: error.message, distillCode: error.code };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.distillCode) return new DistillError({ code: error.distillCode as DistillErrorCode, message: error.message });
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.code) Object.assign(rebuilt, { code: error.code });
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
