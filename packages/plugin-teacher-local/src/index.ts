import { definePlugin, defineTeacher } from '@easydistill/core';
import { isAbsolute, resolve } from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { LocalTeacher } from './local-teacher';
import { ggufTeacherOptionsSchema, hfTeacherOptionsSchema } from './local-teacher-options';
import { GgufModel } from './gguf/gguf-model';
import { HfModel } from './hf/hf-model';
import { serveCommand } from './serve/serve-command';

export { LocalTeacher, type LocalTeacherDefaults } from './local-teacher';
export { HfModel } from './hf/hf-model';
export { GgufModel, type GgufModelOptions } from './gguf/gguf-model';
export { openServedModel, type OpenModelOptions } from './open-served-model';
export { startServer, type RunningServer, type ServerOptions, type ServerStats } from './serve/start-server';
export { runServe, serveCommand } from './serve/serve-command';
export type { ServedModel, ServedGenerateRequest, ServedGeneration, ServedScore, ServedScoreRequest, ServedToken } from './serve/served-model';
export { hfTeacherOptionsSchema, ggufTeacherOptionsSchema, type HfTeacherOptions, type GgufTeacherOptions } from './local-teacher-options';

function defaultsOf(options: { temperature?: number; topP?: number; topK?: number; maxTokens?: number; stop?: string[]; seed?: number }) {
  const { temperature, topP, topK, maxTokens, stop, seed } = options;
  return Object.fromEntries(Object.entries({ temperature, topP, topK, maxTokens, stop, seed }).filter(([, value]) => value !== undefined));
}

function isHubId(reference: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(reference) && !reference.startsWith('.');
}

/** `teacher-local/hf`: a Hugging Face folder or Hub id in process (llm-tfjs): generation with logprobs, white-box scoring. */
export const hfTeacher = defineTeacher({
  id: 'hf',
  description: 'In-process teacher from a Hugging Face model folder or Hub id (llm-tfjs): generation, logprobs, scoring.',
  optionsSchema: hfTeacherOptionsSchema,
  opensModels: true,
  create: async ({ options, context }) => {
    const reference = isAbsolute(options.model) || isHubId(options.model) ? options.model : resolve(context.recipeDir, options.model);
    const model = await HfModel.load(reference, { ...(options.backend ? { backend: options.backend } : {}), ...(options.revision ? { revision: options.revision } : {}) });
    return new LocalTeacher('teacher-local/hf', model, defaultsOf(options));
  },
});

/** `teacher-local/gguf`: a GGUF file through node-llama-cpp (optional peer dependency): generation with top-k log-probabilities. */
export const ggufTeacher = defineTeacher({
  id: 'gguf',
  description: 'In-process teacher from a GGUF file through node-llama-cpp (install it separately).',
  optionsSchema: ggufTeacherOptionsSchema,
  create: async ({ options, context }) => {
    const path = isAbsolute(options.model) ? options.model : resolve(context.recipeDir, options.model);
    const model = await GgufModel.load(path, {
      ...(options.contextSize ? { contextSize: options.contextSize } : {}),
      ...(options.gpuLayers !== undefined ? { gpuLayers: options.gpuLayers } : {}),
      ...(options.parallel ? { parallel: options.parallel } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
    });
    return new LocalTeacher('teacher-local/gguf', model, defaultsOf(options));
  },
});

/** The plugin manifest (default export, loaded by core): two teachers and the `serve` command. */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'teacher-local',
  provides: [hfTeacher, ggufTeacher],
  commands: [serveCommand],
});
