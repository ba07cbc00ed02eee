import { definePlugin, definePublisher, PLUGIN_API_VERSION } from '@easydistill/core';
import packageJson from '../package.json' with { type: 'json' };
import { HubPublisher, hubPublisherOptionsSchema } from './hub/hub-publisher';
import { LocalPublisher, localPublisherOptionsSchema } from './local/local-publisher';
import { GgufPublisher, ggufPublisherOptionsSchema } from './gguf/gguf-publisher';

export { generateModelCard, type ModelCardInput, type ModelCardTeacher, type ModelCardDataStage, type ModelCardEvaluation } from './model-card';
export { HubPublisher, hubPublisherOptionsSchema, type HubPublisherOptions } from './hub/hub-publisher';
export { LocalPublisher, localPublisherOptionsSchema, type LocalPublisherOptions } from './local/local-publisher';
export { GgufPublisher, ggufPublisherOptionsSchema, type GgufPublisherOptions } from './gguf/gguf-publisher';
export { exportGguf, chooseTensorType, GGUF_OUT_TYPES, type ExportGgufOptions, type ExportGgufResult, type GgufOutType } from './gguf/export-gguf';
export { readGguf, type GgufFileContents, type GgufTensorInfo } from './gguf/read-gguf';
export { listModelFiles } from './list-model-files';

/** `publisher-hf/hub`, `publisher-hf/local` and `publisher-hf/gguf`. */
const plugin = definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: PLUGIN_API_VERSION,
  namespace: 'publisher-hf',
  provides: [
    definePublisher({
      id: 'hub',
      description: 'Publish the model, its model card and the run report to the Hugging Face Hub in one commit',
      optionsSchema: hubPublisherOptionsSchema,
      create: ({ options, context }) => new HubPublisher(options, context),
    }),
    definePublisher({
      id: 'local',
      description: 'Copy the model, its model card (README.md) and the run report to a folder, atomically',
      optionsSchema: localPublisherOptionsSchema,
      create: ({ options, context }) => new LocalPublisher(options, context),
    }),
    definePublisher({
      id: 'gguf',
      description: 'Export the model as GGUF (f32, f16, q8_0) for llama.cpp, Ollama and LM Studio',
      optionsSchema: ggufPublisherOptionsSchema,
      create: ({ options, context }) => new GgufPublisher(options, context),
    }),
  ],
});

export default plugin;
