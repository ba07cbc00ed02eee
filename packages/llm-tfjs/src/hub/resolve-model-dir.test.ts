import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { LlmError } from '../errors/llm-error';
import { loadPretrained } from '../load-pretrained';
import { LoopbackHub } from '../test-support/loopback-hub';
import { FIXTURES, maxAbsDiff } from '../test-support/reference';
import type { DownloadProgress } from './download-snapshot';
import { resolveModelDir } from './resolve-model-dir';

const cacheDir = mkdtempSync(join(tmpdir(), 'llm-tfjs-hub-'));
const hub = new LoopbackHub({
  'test-org/tiny-qwen2': { dir: `${FIXTURES}tiny-qwen2` },
  'test-org/tiny-llama': { dir: `${FIXTURES}tiny-llama` },
  'gated-org/tiny-llama': { dir: `${FIXTURES}tiny-llama`, token: 'hf_loopbacktesttoken' },
});
const saved = { offline: process.env.HF_HUB_OFFLINE, token: process.env.HF_TOKEN };

beforeAll(async () => {
  await initBackend('wasm');
  await hub.start();
});
afterEach(() => {
  process.env.HF_HUB_OFFLINE = saved.offline ?? '';
  if (saved.token === undefined) delete process.env.HF_TOKEN;
  else process.env.HF_TOKEN = saved.token;
});
afterAll(async () => {
  await hub.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

const silent = () => undefined;
const downloads = (repo: string) => hub.requests.filter((request) => request.path.startsWith(`/${repo}/resolve/`));

describe('models by Hub id (loopback Hub)', () => {
  it('downloads a model folder with progress, loads it, and equals the local folder', async () => {
    const events: DownloadProgress[] = [];
    const remote = await loadPretrained('test-org/tiny-qwen2', { hubUrl: hub.url, cacheDir, onProgress: (event) => events.push(event) });
    expect(remote.dir).toContain('models--test-org--tiny-qwen2');
    const files = ['chat_template.jinja', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
    for (const file of files) expect(readFileSync(join(remote.dir, file))).toEqual(readFileSync(`${FIXTURES}tiny-qwen2/${file}`));
    const finished = events.filter((event) => event.downloadedBytes === event.totalBytes).map((event) => event.file);
    expect(finished.sort()).toEqual(files);
    expect(events.find((event) => event.file === 'model.safetensors')!.totalBytes).toBe(statSync(`${FIXTURES}tiny-qwen2/model.safetensors`).size);
    const local = await loadPretrained(`${FIXTURES}tiny-qwen2`);
    const ids = tf.tensor2d([[1, 20, 30, 2]], undefined, 'int32');
    expect(maxAbsDiff(tf.tidy(() => remote.model.forward(ids)).dataSync(), tf.tidy(() => local.model.forward(ids)).dataSync())).toBe(0);
    expect(remote.tokenizer.id).toBe(local.tokenizer.id);
    expect(remote.generationConfig.eosTokenIds).toEqual([2]);
    tf.dispose(ids);
    remote.model.dispose();
    local.model.dispose();

    // Second time: only the listing is fetched, no file is downloaded again.
    const before = hub.requests.length;
    await resolveModelDir('test-org/tiny-qwen2', { hubUrl: hub.url, cacheDir, onProgress: silent });
    expect(hub.requests.slice(before).map((request) => request.path)).toEqual(['/api/models/test-org/tiny-qwen2/tree/main']);
  });

  it('resumes an interrupted download with a range request, within a call and across runs', async () => {
    const source = `${FIXTURES}tiny-llama/model.safetensors`;
    const size = statSync(source).size;
    hub.interrupt('test-org/tiny-llama', 'model.safetensors', 300_000);
    const dir = await resolveModelDir('test-org/tiny-llama', { hubUrl: hub.url, cacheDir, onProgress: silent });
    const resumed = downloads('test-org/tiny-llama').filter((request) => /^bytes=[1-9]\d*-/.test(request.range ?? ''));
    expect(resumed.length).toBe(1);
    expect(resumed[0].range).toMatch(new RegExp(`-${size - 1}$`));
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(readFileSync(source));
    expect(existsSync(join(dir, 'model.safetensors.incomplete'))).toBe(false);

    // A partial file left by an earlier, killed run is continued from its length.
    rmSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors.incomplete'), readFileSync(source).subarray(0, 123_456));
    await resolveModelDir('test-org/tiny-llama', { hubUrl: hub.url, cacheDir, onProgress: silent });
    expect(downloads('test-org/tiny-llama').at(-1)!.range).toBe(`bytes=123456-${size - 1}`);
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(readFileSync(source));
  });

  it('honours HF_HUB_OFFLINE: cached snapshots load without a request, others fail clearly', async () => {
    process.env.HF_HUB_OFFLINE = '1';
    const before = hub.requests.length;
    const dir = await resolveModelDir('test-org/tiny-qwen2', { hubUrl: hub.url, cacheDir });
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(true);
    expect(hub.requests.length).toBe(before);
    await expect(resolveModelDir('test-org/never-downloaded', { hubUrl: hub.url, cacheDir })).rejects.toMatchObject({ code: 'hub-offline' });
  });

  it('sends HF_TOKEN for gated repositories and says which variable to set when it is missing', async () => {
    delete process.env.HF_TOKEN;
    const error = (await resolveModelDir('gated-org/tiny-llama', { hubUrl: hub.url, cacheDir, onProgress: silent }).catch((caught: unknown) => caught)) as LlmError;
    expect(error).toBeInstanceOf(LlmError);
    expect(error.message).toMatch(/set HF_TOKEN/);
    process.env.HF_TOKEN = 'hf_loopbacktesttoken';
    const dir = await resolveModelDir('gated-org/tiny-llama', { hubUrl: hub.url, cacheDir, onProgress: silent });
    expect(existsSync(join(dir, 'tokenizer.json'))).toBe(true);
    expect(downloads('gated-org/tiny-llama').every((request) => request.authorization === 'Bearer hf_loopbacktesttoken')).toBe(true);
  });

  it('rejects what is neither a folder nor a Hub id', async () => {
    await expect(resolveModelDir('./no/such/folder/here')).rejects.toMatchObject({ code: 'model-not-found' });
  });
});
