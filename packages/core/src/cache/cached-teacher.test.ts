import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TeacherV1Request } from '../spec/teacher/v1/teacher-v1-request';
import { CachedTeacher } from './cached-teacher';
import { RequestCache } from './request-cache';
import { addUsage, emptyUsage } from './usage-counter';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A teacher pricing each call at $1 per million prompt tokens and $2 per million completion tokens, as teacher-openai does with `prices`. */
function pricedTeacher(priced: boolean): TeacherV1 & { calls: number } {
  const teacher = {
    specificationVersion: 'v1' as const,
    componentId: 'test/priced',
    modelId: 'm',
    calls: 0,
    doCapabilities: async () => ({ logprobs: false, maxTopLogprobs: 0, score: false }),
    doGenerate: async (request: TeacherV1Request) => {
      teacher.calls += 1;
      const promptTokens = request.messages[0]!.content.length;
      const usage = { promptTokens, completionTokens: 10, ...(priced ? { costUsd: (promptTokens * 1 + 10 * 2) / 1e6 } : {}) };
      return { choices: [{ text: 'ok', finishReason: 'stop' as const }], usage, model: 'm' };
    },
  };
  return teacher;
}

function cacheFolder(): RequestCache {
  const folder = mkdtempSync(join(tmpdir(), 'cached-teacher-'));
  folders.push(folder);
  return new RequestCache(folder);
}

describe('CachedTeacher usage', () => {
  it('counts calls, cache hits, tokens and the cost the teacher priced each call at (cache hits cost nothing)', async () => {
    const inner = pricedTeacher(true);
    const usage = emptyUsage();
    const teacher = new CachedTeacher(inner, cacheFolder(), usage);
    const ask = (content: string) => teacher.doGenerate({ messages: [{ role: 'user', content }] });
    await ask('four');
    await ask('sixteen characters');
    await ask('four');
    expect(inner.calls).toBe(2);
    expect(usage).toMatchObject({ calls: 2, cacheHits: 1, promptTokens: 4 + 18, completionTokens: 20, failures: 0 });
    expect(usage.costUsd).toBeCloseTo((22 + 40) / 1e6, 15);
    const run = addUsage(emptyUsage(), usage);
    addUsage(run, usage);
    expect(run.costUsd).toBeCloseTo((2 * 62) / 1e6, 15);
  });

  it('leaves the cost out when no call was priced', async () => {
    const usage = emptyUsage();
    await new CachedTeacher(pricedTeacher(false), cacheFolder(), usage).doGenerate({ messages: [{ role: 'user', content: 'x' }] });
    expect(usage.calls).toBe(1);
    expect('costUsd' in usage).toBe(false);
    expect('costUsd' in addUsage(emptyUsage(), usage)).toBe(false);
  });
});

describe('CachedTeacher model version', () => {
  it('keeps the answers of two models with the same name apart when their versions differ', async () => {
    const cache = cacheFolder();
    const first = pricedTeacher(false);
    const second = pricedTeacher(false);
    const request: TeacherV1Request = { messages: [{ role: 'user', content: 'same question' }] };
    await new CachedTeacher(first, cache, emptyUsage(), 'v1').doGenerate(request);
    await new CachedTeacher(second, cache, emptyUsage(), 'v2').doGenerate(request);
    expect([first.calls, second.calls]).toEqual([1, 1]);
    const usage = emptyUsage();
    await new CachedTeacher(second, cache, usage, 'v1').doGenerate(request);
    expect(usage).toMatchObject({ calls: 0, cacheHits: 1 });
  });

  it('versions a model folder by its files: another folder with the same name, or the same folder written again, is another version', async () => {
    const { modelFolderVersion } = await import('../runner/run-environment');
    const { mkdirSync, utimesSync, writeFileSync } = await import('node:fs');
    const root = mkdtempSync(join(tmpdir(), 'model-version-'));
    folders.push(root);
    const folder = (name: string, weights: string) => {
      const dir = join(root, name, 'model');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), '{}');
      writeFileSync(join(dir, 'model.safetensors'), weights);
      utimesSync(join(dir, 'model.safetensors'), 1_000, 1_000);
      return dir;
    };
    const sft = folder('sft', 'aaaa');
    const kd = folder('kd', 'bbbbbb');
    const version = modelFolderVersion(sft);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(modelFolderVersion(sft)).toBe(version);
    expect(modelFolderVersion(kd)).not.toBe(version);
    writeFileSync(join(sft, 'model.safetensors'), 'aaaa');
    utimesSync(join(sft, 'model.safetensors'), 2_000, 2_000);
    expect(modelFolderVersion(sft)).not.toBe(version);
    expect(modelFolderVersion('Qwen/Qwen2.5-0.5B-Instruct')).toBeUndefined();
  });
});
