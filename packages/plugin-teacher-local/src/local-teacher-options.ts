import { z } from 'zod';

const backendSchema = z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']);

/** Decoding defaults shared by both local teachers; a stage's request overrides them. */
const decodingDefaults = {
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature (default 0: greedy)'),
  topP: z.number().gt(0).max(1).optional().describe('Nucleus sampling mass (default 1)'),
  topK: z.number().int().positive().optional().describe('Sample among the k most likely tokens only'),
  maxTokens: z.number().int().positive().optional().describe('Most tokens generated per completion (default 256)'),
  stop: z.array(z.string().min(1)).max(4).optional().describe('Up to 4 stop strings'),
  seed: z.number().int().optional().describe('Seed of sampled decoding (same seed, same text)'),
};

/** Options of `teacher-local/hf`. */
export const hfTeacherOptionsSchema = z.strictObject({
  model: z.string().min(1).describe('A Hugging Face model folder (absolute, or relative to the recipe) or a Hub id (owner/name)'),
  revision: z.string().min(1).optional().describe('Hub revision (branch, tag or commit) when model is a Hub id'),
  backend: backendSchema.optional().describe('TensorFlow.js backend (default: $EASYDISTILL_BACKEND, else the best that starts)'),
  ...decodingDefaults,
});

/** Options of `teacher-local/gguf`. */
export const ggufTeacherOptionsSchema = z.strictObject({
  model: z.string().min(1).describe('Path of a .gguf file (absolute, or relative to the recipe); needs the optional package node-llama-cpp'),
  contextSize: z.number().int().positive().optional().describe("Context size in tokens per sequence (default: the model's, capped at 4096)"),
  gpuLayers: z
    .union([z.literal('auto'), z.literal('max'), z.number().int().nonnegative()])
    .optional()
    .describe('Layers offloaded to the GPU: auto (default), max, or a number (0: CPU only)'),
  parallel: z.number().int().positive().max(64).optional().describe('Sequences decoded together in one llama.cpp batch (concurrent requests share it); default 4'),
  threads: z.number().int().positive().optional().describe("CPU threads for llama.cpp (default: the machine's math cores)"),
  ...decodingDefaults,
});

export type HfTeacherOptions = z.input<typeof hfTeacherOptionsSchema>;
export type GgufTeacherOptions = z.input<typeof ggufTeacherOptionsSchema>;
