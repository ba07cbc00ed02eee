import type { RunContextV1 } from '@easydistill/core';

/** A run context for unit tests: recorded log lines and progress, environment from a plain object. */
export function testContext(options: { recipeDir: string; workDir: string; env?: Record<string, string> }): RunContextV1 & { logs: string[]; progressDone: number } {
  const logs: string[] = [];
  const context = {
    runName: 'test',
    runDir: options.workDir,
    workDir: options.workDir,
    recipeDir: options.recipeDir,
    seed: 1,
    signal: new AbortController().signal,
    logs,
    progressDone: 0,
    logger: {
      debug: (message: string, fields?: Record<string, unknown>) => logs.push(`debug ${message} ${JSON.stringify(fields ?? {})}`),
      info: (message: string, fields?: Record<string, unknown>) => logs.push(`info ${message} ${JSON.stringify(fields ?? {})}`),
      warn: (message: string, fields?: Record<string, unknown>) => logs.push(`warn ${message} ${JSON.stringify(fields ?? {})}`),
      error: (message: string, fields?: Record<string, unknown>) => logs.push(`error ${message} ${JSON.stringify(fields ?? {})}`),
    },
    progress: {
      start: () => undefined,
      advance: (done: number) => {
        context.progressDone += done;
      },
      end: () => undefined,
    },
    getTeacher: () => Promise.reject(new Error('no teachers in publisher tests')),
    resolveModel: (reference: string) => reference,
    env: (name: string) => options.env?.[name],
  };
  return context;
}
