// A local plugin of the quickstart: `quickstart/served`, a teacher that starts the server of
// `easydistill serve` (from @easydistill/plugin-teacher-local) for a model folder on a free
// loopback port, inside this run's process, and talks to it over the OpenAI chat API with
// @easydistill/plugin-teacher-openai. Concurrent requests from a stage are decoded together in
// one batch by the server, which is what makes the quickstart's teacher fast on a CPU. The
// server stops when the run ends.
//
// To use a server you started yourself instead (`easydistill serve ./teacher --port 8000`), replace
// the component with { use: teacher-openai/chat, options: { model: teacher, baseURL: http://127.0.0.1:8000/v1 } }.
import { DistillError, defineTeacher, definePlugin } from '@easydistill/core';
import { openServedModel, startServer } from '@easydistill/plugin-teacher-local';
import { OpenAIChatTeacher } from '@easydistill/plugin-teacher-openai';
import { z } from 'zod';

const optionsSchema = z.strictObject({
  model: z.string().min(1).describe('Model folder (relative to the recipe), Hub id or GGUF file to serve'),
  backend: z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']).optional().describe('TensorFlow.js backend of the served model'),
  maxBatchSize: z.number().int().positive().default(16).describe('Most requests the server decodes together'),
  concurrency: z.number().int().positive().default(16).describe('Requests the client keeps in flight'),
});

const servedTeacher = defineTeacher({
  id: 'served',
  description: 'Starts `easydistill serve` for a model on a loopback port for the run, and uses it as an OpenAI-compatible teacher',
  optionsSchema,
  async create({ options, context }) {
    let model;
    try {
      model = await openServedModel(options.model, { baseDir: context.recipeDir, ...(options.backend ? { backend: options.backend } : {}) });
    } catch (error) {
      if (error?.code !== 'model-not-found') throw error;
      // The folder is missing: say how the quickstart's teacher is made.
      throw new DistillError({
        code: 'INVALID_MODEL',
        message: `quickstart/served (components.teacher.options.model): ${error.message} ` +
          'The quickstart teacher is trained by bench/quickstart/train-model.mts --model teacher --out <that folder> (see bench/quickstart/README.md).',
        cause: error,
      });
    }
    const server = await startServer({ model, host: '127.0.0.1', port: 0, maxBatchSize: options.maxBatchSize, logger: context.logger });
    context.logger.info(`easydistill serve: ${model.modelId} at ${server.baseURL}`);
    const client = new OpenAIChatTeacher(
      { model: model.modelId, baseURL: server.baseURL, concurrency: options.concurrency, maxAttempts: 2 },
      { env: (name) => context.env(name), logger: context.logger, signal: context.signal },
    );
    return {
      specificationVersion: 'v1',
      componentId: 'quickstart/served',
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

export default definePlugin({ name: 'quickstart-served-teacher', version: '0.1.0', apiVersion: 1, namespace: 'quickstart', provides: [servedTeacher] });
