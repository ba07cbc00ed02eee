import { downloadFile, listFiles } from '@huggingface/hub';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LlmError } from '../errors/llm-error';

/** Progress of one file's download. */
export interface DownloadProgress {
  readonly repo: string;
  readonly file: string;
  readonly downloadedBytes: number;
  readonly totalBytes: number;
  /** Index of the file among those to fetch, and how many there are. */
  readonly fileIndex: number;
  readonly fileCount: number;
}

const ATTEMPTS = 4;

function isHttpError(error: unknown): boolean {
  return typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

/** Retries `run` on network failures (not on HTTP errors), waiting 0.2 s, 0.4 s, 0.8 s. */
async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || isHttpError(error) || error instanceof LlmError) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** Files a causal LM folder needs; everything else in a repo (PyTorch .bin, ONNX, GGUF…) is skipped. */
export function isModelFile(path: string): boolean {
  if (path.includes('/')) return false;
  return (
    path.endsWith('.safetensors') ||
    path === 'model.safetensors.index.json' ||
    path === 'config.json' ||
    path === 'generation_config.json' ||
    path === 'chat_template.jinja' ||
    path === 'chat_template.json' ||
    path.startsWith('tokenizer') ||
    path === 'special_tokens_map.json' ||
    path === 'vocab.json' ||
    path === 'merges.txt'
  );
}

function defaultProgress(): (progress: DownloadProgress) => void {
  let lastFile = '';
  let lastTime = 0;
  return (progress) => {
    const now = Date.now();
    const done = progress.downloadedBytes === progress.totalBytes;
    if (!done && progress.file === lastFile && now - lastTime < 1000) return;
    lastFile = progress.file;
    lastTime = now;
    const percent = progress.totalBytes ? ((100 * progress.downloadedBytes) / progress.totalBytes).toFixed(1) : '100.0';
    process.stderr.write(
      `[llm-tfjs] ${progress.repo} ${progress.fileIndex + 1}/${progress.fileCount} ${progress.file}: ${(progress.downloadedBytes / 1e6).toFixed(1)}/${(progress.totalBytes / 1e6).toFixed(1)} MB (${percent}%)\n`,
    );
  };
}

/**
 * Downloads the model files of `repo@revision` into `dir`. A complete file of the listed size is
 * skipped; a partial `<file>.incomplete` is resumed from its length with an HTTP range request;
 * every file's final size is checked against the listing.
 */
export async function downloadSnapshot(params: {
  repo: string;
  revision: string;
  dir: string;
  hubUrl: string;
  accessToken?: string;
  tokenEnv: string;
  onProgress?: (progress: DownloadProgress) => void;
  fetch?: typeof fetch;
}): Promise<{ path: string; size: number }[]> {
  const { repo, revision, dir, hubUrl, accessToken } = params;
  const report = params.onProgress ?? defaultProgress();
  const common = { repo: { type: 'model' as const, name: repo }, revision, hubUrl, accessToken, fetch: params.fetch };
  const wanted: { path: string; size: number }[] = [];
  try {
    await withRetries(async () => {
      wanted.length = 0;
      for await (const entry of listFiles({ ...common, recursive: false })) {
        if (entry.type === 'file' && isModelFile(entry.path)) wanted.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
      }
    });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const hint = status === 401 || status === 403
      ? ` The repository may be gated or private: set ${params.tokenEnv} to a token with access.`
      : status === 404 ? ' Check the id and the revision.' : '';
    throw new LlmError('hub-download', `Cannot list ${repo}@${revision} on ${hubUrl}: ${(error as Error).message}.${hint}`, { cause: error });
  }
  if (!wanted.some((file) => file.path === 'config.json')) {
    throw new LlmError('hub-download', `${repo}@${revision} has no config.json; it is not a transformers model repository.`);
  }
  await mkdir(dir, { recursive: true });
  for (const [fileIndex, file] of wanted.entries()) {
    const target = join(dir, file.path);
    const event = (downloadedBytes: number) =>
      report({ repo, file: file.path, downloadedBytes, totalBytes: file.size, fileIndex, fileCount: wanted.length });
    if (existsSync(target) && statSync(target).size === file.size) {
      event(file.size);
      continue;
    }
    const partial = `${target}.incomplete`;
    await mkdir(dirname(partial), { recursive: true });
    // Each attempt resumes from what the previous ones (or an earlier run) left in `partial`.
    await withRetries(() => downloadInto(partial, file, common, event, repo, revision));
    const size = statSync(partial).size;
    if (size !== file.size) {
      throw new LlmError('hub-download', `${repo}@${revision}: ${file.path} has ${size} bytes after download, the Hub lists ${file.size}; run again to resume.`);
    }
    await rename(partial, target);
  }
  return wanted;
}

async function downloadInto(
  partial: string,
  file: { path: string; size: number },
  common: { repo: { type: 'model'; name: string }; revision: string; hubUrl: string; accessToken?: string; fetch?: typeof fetch },
  event: (downloadedBytes: number) => void,
  repo: string,
  revision: string,
): Promise<void> {
  let have = existsSync(partial) ? statSync(partial).size : 0;
  if (have > file.size) {
    await rm(partial);
    have = 0;
  }
  if (have === file.size) {
    event(file.size);
    return;
  }
  const blob = await downloadFile({ ...common, path: file.path, xet: false });
  if (!blob) throw new LlmError('hub-download', `${repo}@${revision}: ${file.path} is listed but cannot be downloaded (404).`);
  if (blob.size !== file.size) {
    throw new LlmError('hub-download', `${repo}@${revision}: ${file.path} is ${blob.size} bytes on download but ${file.size} in the listing.`);
  }
  let downloaded = have;
  const source = Readable.fromWeb(blob.slice(have).stream() as import('node:stream/web').ReadableStream<Uint8Array>);
  source.on('data', (chunk: Buffer) => {
    downloaded += chunk.length;
    event(downloaded);
  });
  await pipeline(source, createWriteStream(partial, { flags: have > 0 ? 'a' : 'w' }));
}
