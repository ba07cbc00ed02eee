import { z } from 'zod';

const backendSchema = z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']);

/** Decoding defaults shared by both local teachers; a stage's request overrides them. */
const decodingDefaults = {
  /** Default 0 (greedy). */
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  topK: z.number().int().positive().optional(),
  /** Default 256. */
  maxTokens: z.number().int().positive().optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
  seed: z.number().int().optional(),
};

/** Options of `teacher-local/hf`. */
export const hfTeacherOptionsSchema = z.strictObject({
  /** A Hugging Face model folder (absolute, or relative to the recipe) or a Hub id (`owner/name`). */
  model: z.string().min(1),
  /** Hub revision (branch, tag or commit) when `model` is a Hub id. */
  revision: z.string().min(1).optional(),
  /** TensorFlow.js backend; default: `$EASYDISTILL_BACKEND`, else the best that starts. */
  backend: backendSchema.optional(),
  ...decodingDefaults,
});

/** Options of `teacher-local/gguf`. */
export const ggufTeacherOptionsSchema = z.strictObject({
  /** Path of a `.gguf` file (absolute, or relative to the recipe). */
  model: z.string().min(1),
  /** Context size in tokens (default: the model's, capped at 4096). */
  contextSize: z.number().int().positive().optional(),
  /** Layers offloaded to the GPU: `auto` (default), `max`, or a number (0: CPU only). */
  gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.number().int().nonnegative()]).optional(),
  /** Sequences decoded together in one llama.cpp batch (concurrent requests share it); default 4. */
  parallel: z.number().int().positive().max(64).optional(),
  /** CPU threads for llama.cpp (default: the machine's math cores). */
  threads: z.number().int().positive().optional(),
  ...decodingDefaults,
});

export type HfTeacherOptions = z.input<typeof hfTeacherOptionsSchema>;
export type GgufTeacherOptions = z.input<typeof ggufTeacherOptionsSchema>;
