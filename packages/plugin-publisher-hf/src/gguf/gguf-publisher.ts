import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import type { PublisherV1, PublisherV1Request, PublisherV1Result, RunContextV1 } from '@easydistill/core';
import { exportGguf, GGUF_OUT_TYPES, type GgufOutType } from './export-gguf';
import { modelCardForRun, modelCardOptionsShape } from '../run-model-card';

export const ggufPublisherOptionsSchema = z.strictObject({
  outTypes: z
    .array(z.enum(GGUF_OUT_TYPES as [GgufOutType, ...GgufOutType[]]))
    .min(1)
    .default(['q8_0'])
    .describe('Encodings to export: f32, f16, q8_0 (one file each)'),
  path: z.string().min(1).optional().describe("Output folder (relative to the recipe folder); default: the stage's work folder"),
  name: z.string().regex(/^[\w.-]+$/).optional().describe('File name stem and general.name; default: the model folder name'),
  preTokenizer: z.string().min(1).optional().describe("llama.cpp pre-tokenizer name when the tokenizer's regex is not recognised (qwen2, llama-bpe, ...)"),
  writeModelCard: z.boolean().default(true).describe('Write the model card as README.md beside the GGUF files'),
  ...modelCardOptionsShape,
});
export type GgufPublisherOptions = z.output<typeof ggufPublisherOptionsSchema>;

/**
 * Exports the checkpoint as GGUF files (`<name>-<outType>.gguf`) that llama.cpp, Ollama and
 * LM Studio load, into `path` or the stage's work folder, with the model card beside them.
 * Progress is reported per tensor.
 */
export class GgufPublisher implements PublisherV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'publisher-hf/gguf';

  constructor(
    private readonly options: GgufPublisherOptions,
    private readonly context: Pick<RunContextV1, 'recipeDir' | 'runDir' | 'logger' | 'progress'>,
  ) {}

  async doPublish(request: PublisherV1Request): Promise<PublisherV1Result> {
    const folder = this.options.path ? resolve(this.context.recipeDir, this.options.path) : request.workDir;
    await mkdir(folder, { recursive: true });
    const name = this.options.name ?? basename(request.modelDir);
    const written: string[] = [];
    let started = false;
    for (const outType of this.options.outTypes) {
      const outputPath = join(folder, `${name}-${outType}.gguf`);
      const result = await exportGguf({
        modelDir: request.modelDir,
        outputPath,
        outType,
        name,
        preTokenizer: this.options.preTokenizer,
        onTensor: (done, total) => {
          if (!started) {
            this.context.progress.start(total * this.options.outTypes.length, 'tensors');
            started = true;
          }
          this.context.progress.advance(1);
        },
      });
      written.push(outputPath);
      this.context.logger.info(`Wrote ${outputPath} (${result.architecture}, ${(result.bytes / 1e6).toFixed(1)} MB, tensors ${JSON.stringify(result.tensorTypes)})`);
    }
    this.context.progress.end();
    if (this.options.writeModelCard) {
      const card = await modelCardForRun({ runDir: this.context.runDir, request: { ...request, reportPath: undefined }, options: this.options, modelName: name, ggufFiles: written.map((path) => basename(path)) });
      await writeFile(join(folder, 'README.md'), card);
    }
    return { location: written.length === 1 ? written[0] : folder };
  }
}
