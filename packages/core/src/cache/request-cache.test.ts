import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCache } from './request-cache';

const folders: string[] = [];
function cacheFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'request-cache-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
}

describe('RequestCache', () => {
  it('computes a key once, stores it, and answers it from the folder afterwards (a new instance too)', async () => {
    const folder = cacheFolder();
    const key = RequestCache.key({ kind: 'generate', request: { prompt: 'a' } });
    let calls = 0;
    const compute = async () => ({ text: `answer ${++calls}`, logprob: -Infinity });
    expect(await new RequestCache(folder).getOrCompute(key, compute)).toEqual({ value: { text: 'answer 1', logprob: -Infinity }, hit: false });
    expect(filesUnder(folder)).toEqual([`${key}.json`]);
    const again = new RequestCache(folder);
    expect(await again.getOrCompute(key, compute)).toEqual({ value: { text: 'answer 1', logprob: -Infinity }, hit: true });
    expect(again.read(key)).toEqual({ text: 'answer 1', logprob: -Infinity });
    expect(calls).toBe(1);
  });

  it('shares one computation among concurrent callers of the same key, and keeps other keys apart', async () => {
    const cache = new RequestCache(cacheFolder());
    const calls = new Map<string, number>();
    const compute = (key: string) => async () => {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return key.slice(0, 8);
    };
    const keys = Array.from({ length: 5 }, (_, index) => RequestCache.key({ index }));
    const answers = await Promise.all(keys.flatMap((key) => [1, 2, 3].map(() => cache.getOrCompute(key, compute(key)))));
    expect(answers.map((answer) => answer.value)).toEqual(keys.flatMap((key) => [1, 2, 3].map(() => key.slice(0, 8))));
    expect(answers.filter((answer) => !answer.hit)).toHaveLength(5);
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('treats a corrupt entry as missing, recreates a folder removed under it, and leaves no temporary files', async () => {
    const folder = cacheFolder();
    const cache = new RequestCache(folder);
    const key = RequestCache.key('corrupt');
    await cache.getOrCompute(key, async () => 'first');
    writeFileSync(join(folder, key.slice(0, 2), `${key}.json`), '{"value": "torn');
    expect(await cache.getOrCompute(key, async () => 'second')).toEqual({ value: 'second', hit: false });
    rmSync(join(folder, key.slice(0, 2)), { recursive: true });
    expect(await cache.getOrCompute(key, async () => 'third')).toEqual({ value: 'third', hit: false });
    expect(await cache.getOrCompute(key, async () => 'fourth')).toEqual({ value: 'third', hit: true });
    expect(filesUnder(folder)).toEqual([`${key}.json`]);
  });

  it('removes temporary files a killed writer left in its subfolders, and keeps those of live processes', async () => {
    const folder = cacheFolder();
    const cache = new RequestCache(folder);
    const key = RequestCache.key('entry');
    await cache.getOrCompute(key, async () => 'kept');
    const sub = join(folder, key.slice(0, 2));
    // A pid far above any Linux pid_max is never a live process.
    writeFileSync(join(sub, `${key}.json.99999999.1.tmp`), '{"value": "half');
    writeFileSync(join(folder, `stray.json.99999999.2.tmp`), '');
    writeFileSync(join(sub, `other.json.${process.pid}.7.tmp`), '');
    cache.removeStaleTemporaryFiles();
    expect(filesUnder(folder)).toEqual([`${key}.json`, `other.json.${process.pid}.7.tmp`].sort());
    expect(await cache.getOrCompute(key, async () => 'recomputed')).toEqual({ value: 'kept', hit: true });
  });

  it('stores nothing when the computation fails, so the next call computes again', async () => {
    const folder = cacheFolder();
    const cache = new RequestCache(folder);
    const key = RequestCache.key('fails');
    await expect(cache.getOrCompute(key, async () => Promise.reject(new Error('teacher down')))).rejects.toThrow('teacher down');
    expect(filesUnder(folder)).toEqual([]);
    expect(await cache.getOrCompute(key, async () => 'back')).toEqual({ value: 'back', hit: false });
  });
});
