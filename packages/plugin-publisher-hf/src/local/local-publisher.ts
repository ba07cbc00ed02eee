import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DistillError, type PublisherV1, type PublisherV1Request, type PublisherV1Result, type RunContextV1 } from '@easydistill/core';
import { listModelFiles } from '../list-model-files';
import { modelCardForRun, modelCardOptionsShape } from '../run-model-card';

export const localPublisherOptionsSchema = z.strictObject({
  path: z.string().min(1).describe('Destination folder; relative paths resolve against the recipe folder'),
  overwrite: z.boolean().default(false).describe('Replace the folder when it already exists'),
  includeReport: z.boolean().default(true).describe('Copy the run report beside the model'),
  ...modelCardOptionsShape,
});
export type LocalPublisherOptions = z.output<typeof localPublisherOptionsSchema>;

/**
 * Publishes to a local folder: the checkpoint files, the model card as `README.md` (built from the
 * run folder: see `modelCardForRun`) and the run report. Atomic: everything is written to a temporary sibling folder first, then renamed into
 * place, so the destination is never half-written (an existing one is replaced only with
 * `overwrite`, and only once the new copy is complete).
 */
export class LocalPublisher implements PublisherV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'publisher-hf/local';

  constructor(
    private readonly options: LocalPublisherOptions,
    private readonly context: Pick<RunContextV1, 'recipeDir' | 'runDir' | 'logger' | 'progress'>,
  ) {}

  async doPublish(request: PublisherV1Request): Promise<PublisherV1Result> {
    const target = resolve(this.context.recipeDir, this.options.path);
    if (existsSync(target) && !this.options.overwrite) {
      throw new DistillError({
        code: 'COMPONENT_FAILED',
        message: `publisher-hf/local: ${target} already exists; choose another "path" or set "overwrite: true".`,
      });
    }
    const files = await listModelFiles(request.modelDir);
    const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}`);
    await mkdir(staging, { recursive: true });
    try {
      this.context.progress.start(files.length + 1, 'files');
      for (const file of files) {
        const destination = join(staging, file);
        await mkdir(dirname(destination), { recursive: true });
        await copyFile(join(request.modelDir, file), destination);
        this.context.progress.advance(1);
      }
      await writeFile(join(staging, 'README.md'), await modelCardForRun({ runDir: this.context.runDir, request: this.options.includeReport ? request : { ...request, reportPath: undefined }, options: this.options, modelName: basename(target) }));
      if (request.reportPath && this.options.includeReport) {
        await copyFile(request.reportPath, join(staging, basename(request.reportPath)));
      }
      this.context.progress.advance(1);
      this.context.progress.end();
      if (existsSync(target)) {
        const previous = `${staging}.previous`;
        await rename(target, previous);
        await rename(staging, target);
        await rm(previous, { recursive: true, force: true });
      } else {
        await rename(staging, target);
      }
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    this.context.logger.info(`Published ${files.length} model files, README.md${request.reportPath && this.options.includeReport ? ' and the report' : ''} to ${target}`);
    return { location: target };
  }
}
