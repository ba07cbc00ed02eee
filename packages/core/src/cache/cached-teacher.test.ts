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
