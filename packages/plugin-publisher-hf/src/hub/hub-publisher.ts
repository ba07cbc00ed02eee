import { pathToFileURL } from 'node:url';
import { basename, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { commit, createRepo, HubApiError, type CommitOperation } from '@huggingface/hub';
import { DistillError, type PublisherV1, type PublisherV1Request, type PublisherV1Result, type RunContextV1 } from '@easydistill/core';
import { listModelFiles } from '../list-model-files';
import { exportGguf, GGUF_OUT_TYPES, type GgufOutType } from '../gguf/export-gguf';
import { modelCardForRun, modelCardOptionsShape } from '../run-model-card';

export const hubPublisherOptionsSchema = z.strictObject({
  repo: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "<user or organisation>/<name>"')
    .describe('Hub model repository, "<user or organisation>/<name>"; created when missing'),
  private: z.boolean().default(true).describe('Create the repository private (an existing repository keeps its visibility)'),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('HF_TOKEN').describe('Name of the environment variable holding a write token'),
  hubUrl: z.string().url().default('https://huggingface.co').describe('Hub endpoint (a mirror, or a local test server)'),
  branch: z.string().min(1).default('main').describe('Branch to commit to'),
  commitMessage: z.string().min(1).optional().describe('Commit title; default "Upload <model> with EasyDistill"'),
  gguf: z.array(z.enum(GGUF_OUT_TYPES as [GgufOutType, ...GgufOutType[]])).default([]).describe('GGUF files to export and upload in the same commit'),
  includeReport: z.boolean().default(true).describe('Upload the run report beside the model'),
  ...modelCardOptionsShape,
});
export type HubPublisherOptions = z.output<typeof hubPublisherOptionsSchema>;

/**
 * Publishes to the Hugging Face Hub with `@huggingface/hub`: creates the model repository
 * (private by default; an existing one is reused), then uploads the checkpoint files, the model
 * card as `README.md`, the run report and any GGUF exports in ONE commit (large files go through
 * the LFS protocol the library speaks). The token is read from the environment variable named by
 * `tokenEnv` through the run context and is never logged or written anywhere.
 */
export class HubPublisher implements PublisherV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'publisher-hf/hub';

  constructor(
    private readonly options: HubPublisherOptions,
    private readonly context: Pick<RunContextV1, 'env' | 'runDir' | 'logger' | 'progress'>,
  ) {}

  async doPublish(request: PublisherV1Request): Promise<PublisherV1Result> {
    const { repo, hubUrl, tokenEnv } = this.options;
    const accessToken = this.context.env(tokenEnv);
    if (!accessToken) {
      throw new DistillError({
        code: 'USAGE',
        message: `publisher-hf/hub: the environment variable ${tokenEnv} is not set; set it to a Hugging Face write token (https://huggingface.co/settings/tokens) or name another variable with the option "tokenEnv".`,
      });
    }
    if (!accessToken.startsWith('hf_')) {
      throw new DistillError({ code: 'USAGE', message: `publisher-hf/hub: the value of ${tokenEnv} is not a Hugging Face token (they start with "hf_").` });
    }
    const files = await listModelFiles(request.modelDir);
    const operations: CommitOperation[] = files.map((file) => ({
      operation: 'addOrUpdate',
      path: file,
      content: pathToFileURL(join(request.modelDir, file)),
    }));
    if (request.reportPath && this.options.includeReport) {
      operations.push({ operation: 'addOrUpdate', path: basename(request.reportPath), content: pathToFileURL(request.reportPath) });
    }
    const ggufFiles: string[] = [];
    if (this.options.gguf.length > 0) {
      const folder = join(request.workDir, 'gguf');
      await mkdir(folder, { recursive: true });
      const name = repo.split('/')[1];
      for (const outType of this.options.gguf) {
        const fileName = `${name}-${outType}.gguf`;
        this.context.logger.info(`Exporting ${fileName}`);
        const result = await exportGguf({ modelDir: request.modelDir, outputPath: join(folder, fileName), outType, name });
        operations.push({ operation: 'addOrUpdate', path: fileName, content: pathToFileURL(result.path) });
        ggufFiles.push(fileName);
      }
    }
    const card = await modelCardForRun({ runDir: this.context.runDir, request: this.options.includeReport ? request : { ...request, reportPath: undefined }, options: this.options, modelName: repo.split('/')[1]!, ggufFiles });
    operations.push({ operation: 'addOrUpdate', path: 'README.md', content: new Blob([card]) });

    try {
      await createRepo({ repo: { type: 'model', name: repo }, accessToken, hubUrl, private: this.options.private });
      this.context.logger.info(`Created ${this.options.private ? 'private' : 'public'} model repository ${repo}`);
    } catch (error) {
      if (!(error instanceof HubApiError && error.statusCode === 409)) throw this.hubError('creating the repository', error);
      this.context.logger.info(`Model repository ${repo} exists; committing to it`);
    }

    this.context.progress.start(operations.length, 'files');
    let output;
    try {
      output = await commit({
        repo: { type: 'model', name: repo },
        accessToken,
        hubUrl,
        branch: this.options.branch,
        title: this.options.commitMessage ?? `Upload ${repo.split('/')[1]} with EasyDistill`,
        operations,
      });
    } catch (error) {
      throw this.hubError('committing the files', error);
    }
    this.context.progress.advance(operations.length);
    this.context.progress.end();
    const location = `${hubUrl.replace(/\/$/, '')}/${repo}`;
    this.context.logger.info(`Published ${operations.length} files to ${location} in one commit`, { commit: output?.commit.oid });
    return { location };
  }

  private hubError(action: string, error: unknown): DistillError {
    const status = error instanceof HubApiError ? ` (HTTP ${error.statusCode})` : '';
    const hint = error instanceof HubApiError && (error.statusCode === 401 || error.statusCode === 403)
      ? ` Check that ${this.options.tokenEnv} holds a token with write access to ${this.options.repo.split('/')[0]}.`
      : '';
    return new DistillError({
      code: 'COMPONENT_FAILED',
      message: `publisher-hf/hub: ${action} on ${this.options.hubUrl} for ${this.options.repo} failed${status}: ${(error as Error).message}.${hint}`,
      cause: error,
    });
  }
}
