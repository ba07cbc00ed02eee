import type { DatasetV1, RowV1, RunContextV1 } from '@easydistill/core';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** A DatasetV1 over a JSONL file (for tests; core's dataset store does this in a run). */
export function jsonlDataset(path: string, logitsPath?: string, filter?: (row: RowV1) => boolean): DatasetV1 {
  const rows = () =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as RowV1)
      .filter((row) => (filter ? filter(row) : true));
  return {
    name: 'train',
    path,
    logitsPath,
    async *rows() {
      yield* rows();
    },
    count: async () => rows().length,
  };
}

/** A RunContextV1 for tests: models resolve against `recipeDir` or a map of earlier stages' outputs. */
export function testContext(options: {
  workDir: string;
  recipeDir?: string;
  seed?: number;
  models?: Record<string, string>;
  signal?: AbortSignal;
  onAdvance?: (done: number, metrics?: Record<string, number>) => void;
}): RunContextV1 & { events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  const log = (level: string) => (message: string) => void events.push({ level, message });
  return {
    events,
    runName: 'test',
    runDir: options.workDir,
    workDir: options.workDir,
    seed: options.seed ?? 1234,
    signal: options.signal ?? new AbortController().signal,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: {
      start: (total, unit) => void events.push({ progress: 'start', total, unit }),
      advance: (done, metrics) => {
        events.push({ progress: 'advance', done, metrics });
        options.onAdvance?.(done, metrics);
      },
      end: () => void events.push({ progress: 'end' }),
    },
    recipeDir: options.recipeDir ?? fixturesDir,
    getTeacher: () => Promise.reject(new Error('no teachers in trainer tests')),
    resolveModel: (reference) => options.models?.[reference] ?? (isAbsolute(reference) ? reference : join(options.recipeDir ?? fixturesDir, reference)),
    env: () => undefined,
  };
}

export const fixturesDir = new URL('.', import.meta.url).pathname;
export const tinyQwen2 = join(fixturesDir, 'tiny-qwen2');
