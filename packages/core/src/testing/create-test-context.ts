import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoggerV1 } from '../spec/shared/v1/logger-v1';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';

export interface TestContextOptions {
  /** Teachers by reference, returned by `getTeacher`. */
  teachers?: Record<string, TeacherV1>;
  /** Environment variables `env()` sees (never process.env). */
  env?: Record<string, string>;
  workDir?: string;
  recipeDir?: string;
  seed?: number;
  /** Models by reference, returned by `resolveModel` (others resolve against recipeDir). */
  models?: Record<string, string>;
  signal?: AbortSignal;
}

/** Log lines a test context collected. */
export interface TestContext extends RunContextV1 {
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
  /** Progress reported: `[done, metrics]` per advance. */
  readonly progressEvents: Array<{ done: number; metrics?: Record<string, number> }>;
}

/**
 * A RunContextV1 for unit tests of components: teachers and models given by reference, a temporary
 * work folder, collected logs and progress. Unknown teacher references throw with the known ones.
 */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'easydistill-test-'));
  const logs: TestContext['logs'] = [];
  const progressEvents: TestContext['progressEvents'] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => logs.push({ level, message, fields });
  const logger: LoggerV1 = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const recipeDir = options.recipeDir ?? workDir;
  return {
    runName: 'test',
    runDir: workDir,
    workDir,
    seed: options.seed ?? 0,
    signal: options.signal ?? new AbortController().signal,
    logger,
    progress: { start() {}, advance: (done, metrics) => progressEvents.push({ done, metrics }), end() {} },
    recipeDir,
    logs,
    progressEvents,
    async getTeacher(reference) {
      const teacher = options.teachers?.[reference];
      if (!teacher) throw new Error(`test context: no teacher "${reference}" (known: ${Object.keys(options.teachers ?? {}).join(', ') || 'none'})`);
      return teacher;
    },
    resolveModel: (reference) => options.models?.[reference] ?? resolve(recipeDir, reference),
    env: (name) => options.env?.[name],
  };
}
