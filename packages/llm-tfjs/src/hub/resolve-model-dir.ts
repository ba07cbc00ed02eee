import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LlmError } from '../errors/llm-error';
import { downloadSnapshot, type DownloadProgress } from './download-snapshot';

/** How a Hub id is resolved to a local folder. */
export interface ResolveOptions {
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Cache root (default `$EASYDISTILL_CACHE/hub`, else `$HF_HOME/easydistill`, else `~/.cache/easydistill/hub`). */
  cacheDir?: string;
  /** Hub endpoint (default `$HF_ENDPOINT` or https://huggingface.co). */
  hubUrl?: string;
  /** Name of the environment variable holding the token (default `HF_TOKEN`). Never logged. */
  tokenEnv?: string;
  /** Called as bytes arrive; default: a line on stderr per file (throttled). Pass `() => {}` to silence. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Injected fetch (tests, proxies). */
  fetch?: typeof fetch;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const COMPLETE_MARKER = '.easydistill-complete.json';

/** Cache root for Hub downloads (see `ResolveOptions.cacheDir`). */
export function defaultCacheDir(): string {
  if (process.env.EASYDISTILL_CACHE) return join(process.env.EASYDISTILL_CACHE, 'hub');
  if (process.env.HF_HOME) return join(process.env.HF_HOME, 'easydistill');
  return join(homedir(), '.cache', 'easydistill', 'hub');
}

function isOffline(): boolean {
  const value = (process.env.HF_HUB_OFFLINE ?? '').toLowerCase();
  return value === '1' || value === 'true' || value === 'yes' || value === 'on';
}

/**
 * Returns a local folder for `pathOrHubId`: the folder itself when it exists, else the Hub
 * snapshot in the cache, downloading what is missing or incomplete (resumed with HTTP ranges,
 * sizes checked against the Hub's listing). With `HF_HUB_OFFLINE=1` only a complete cached
 * snapshot is used. Throws `LlmError` (`model-not-found`, `hub-offline`, `hub-download`).
 */
export async function resolveModelDir(pathOrHubId: string, options: ResolveOptions = {}): Promise<string> {
  if (existsSync(pathOrHubId) && statSync(pathOrHubId).isDirectory()) return pathOrHubId;
  if (!HUB_ID.test(pathOrHubId)) {
    throw new LlmError('model-not-found', `"${pathOrHubId}" is neither an existing folder nor a Hugging Face Hub id like "Qwen/Qwen2.5-0.5B-Instruct".`);
  }
  const revision = options.revision ?? 'main';
  const snapshot = join(
    options.cacheDir ?? defaultCacheDir(),
    `models--${pathOrHubId.replace('/', '--')}`,
    'snapshots',
    revision.replace(/[^\w.-]/g, '_'),
  );
  const marker = join(snapshot, COMPLETE_MARKER);
  if (isOffline()) {
    if (existsSync(marker)) return snapshot;
    throw new LlmError('hub-offline', `HF_HUB_OFFLINE is set and ${pathOrHubId}@${revision} is not in the cache (${snapshot}); download it once online or unset HF_HUB_OFFLINE.`);
  }
  const tokenEnv = options.tokenEnv ?? 'HF_TOKEN';
  const files = await downloadSnapshot({
    repo: pathOrHubId,
    revision,
    dir: snapshot,
    hubUrl: options.hubUrl ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co',
    accessToken: process.env[tokenEnv] || undefined,
    tokenEnv,
    onProgress: options.onProgress,
    fetch: options.fetch,
  });
  await writeFile(marker, `${JSON.stringify({ repo: pathOrHubId, revision, files }, null, 2)}\n`);
  return snapshot;
}

/** The files a completed snapshot holds, from its marker (undefined when incomplete). */
export async function cachedSnapshotFiles(snapshot: string): Promise<{ path: string; size: number }[] | undefined> {
  const marker = join(snapshot, COMPLETE_MARKER);
  if (!existsSync(marker)) return undefined;
  return (JSON.parse(await readFile(marker, 'utf8')) as { files: { path: string; size: number }[] }).files;
}
