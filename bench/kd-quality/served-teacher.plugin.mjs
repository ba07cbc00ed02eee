// bench/kd-quality's local plugin: `kdq/served`, a teacher that starts the server of `easydistill
// serve` (@easydistill/plugin-teacher-local) for a model folder on a free loopback port inside the
// run's process and talks to it over the OpenAI chat API (@easydistill/plugin-teacher-openai), so
// that concurrent requests are decoded together in one batch. Adapted from
// templates/quickstart/served-teacher.plugin.mjs; unlike it, it declares `opensModels`, so that the
// models trained by a recipe's stages (the students skills/eval compares) are served the same way.
import { defineTeacher, definePlugin } from '@easydistill/core';
import { openServedModel, startServer } from '@easydistill/plugin-teacher-local';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const optionsSchema = z.strictObject({
  model: z.string().min(1).describe('Model folder (absolute or relative to the recipe) to serve'),
  backend: z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']).optional().describe('TensorFlow.js backend of the served model'),
  maxBatchSize: z.number().int().positive().default(16).describe('Most requests the server decodes together'),
  concurrency: z.number().int().positive().default(16).describe('Requests the client keeps in flight'),
  maxTopLogprobs: z.number().int().positive().default(20).describe('Most top_logprobs served (20 as OpenAI; up to the vocabulary for top-50 or full-distribution KD)'),
});

const servedTeacher = defineTeacher({
  id: 'served',
  description: 'Serves a model folder with `easydistill serve` on a loopback port for the run and uses it as an OpenAI-compatible teacher',
  optionsSchema,
  opensModels: true,
  async create({ options, context }) {
    const path = isAbsolute(options.model) ? options.model : resolve(context.recipeDir, options.model);
    const model = await openServedModel(path, { baseDir: context.recipeDir, ...(options.backend ? { backend: options.backend } : {}) });
    const server = await startServer({ model, host: '127.0.0.1', port: 0, maxBatchSize: options.maxBatchSize, maxTopLogprobs: options.maxTopLogprobs, logger: context.logger });
    const client = new OpenAIChatTeacher(
      { model: model.modelId, baseURL: server.baseURL, concurrency: options.concurrency, maxAttempts: 2, maxTopLogprobs: options.maxTopLogprobs },
      { env: (name) => context.env(name), logger: context.logger, signal: context.signal },
    );
    return {
      specificationVersion: 'v1',
      componentId: 'kdq/served',
      modelId: client.modelId,
      doCapabilities: () => client.doCapabilities(),
      doGenerate: (request) => client.doGenerate(request),
      doScore: (request) => client.doScore(request),
      async doClose() {
        await client.doClose?.();
        await server.close();
        await model.close();
      },
    };
  },
});

export default definePlugin({ name: 'kd-quality-served-teacher', version: '0.1.0', apiVersion: 1, namespace: 'kdq', provides: [servedTeacher] });
