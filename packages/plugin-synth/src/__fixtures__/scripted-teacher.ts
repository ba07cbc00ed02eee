import type { RunContextV1, TeacherV1, TeacherV1Capabilities, TeacherV1Choice, TeacherV1Request, TeacherV1ScoreRequest, TeacherV1ScoreResponse } from '@easydistill/core';

/** What a scripted reply may be: a text, a full choice, or several choices (n samples). */
export type ScriptedReply = string | TeacherV1Choice | Array<string | TeacherV1Choice>;

/** A deterministic TeacherV1 for unit tests: `reply(request)` decides the answer; calls are recorded. */
export interface ScriptedTeacher extends TeacherV1 {
  calls: TeacherV1Request[];
  scoreCalls: TeacherV1ScoreRequest[];
}

export function scriptedTeacher(
  reply: (request: TeacherV1Request, call: number) => ScriptedReply,
  options: { modelId?: string; capabilities?: Partial<TeacherV1Capabilities>; score?: (request: TeacherV1ScoreRequest) => TeacherV1ScoreResponse['tokens'] } = {},
): ScriptedTeacher {
  const calls: TeacherV1Request[] = [];
  const scoreCalls: TeacherV1ScoreRequest[] = [];
  const teacher: ScriptedTeacher = {
    specificationVersion: 'v1',
    componentId: 'test/scripted',
    modelId: options.modelId ?? 'scripted-model',
    calls,
    scoreCalls,
    async doCapabilities() {
      return { logprobs: true, maxTopLogprobs: 20, score: options.score !== undefined, ...options.capabilities };
    },
    async doGenerate(request) {
      calls.push(request);
      const answer = reply(request, calls.length - 1);
      const list = Array.isArray(answer) ? answer : [answer];
      const choices = list.map((item): TeacherV1Choice => (typeof item === 'string' ? { text: item, finishReason: 'stop' } : item));
      return { choices, usage: { promptTokens: 1, completionTokens: 1 }, model: teacher.modelId };
    },
  };
  if (options.score) {
    const score = options.score;
    teacher.doScore = async (request) => {
      scoreCalls.push(request);
      return { tokens: score(request), usage: { promptTokens: 1, completionTokens: 0 }, model: teacher.modelId };
    };
  }
  return teacher;
}

/** The user message text of a request (what the prompt template rendered). */
export function userText(request: TeacherV1Request): string {
  return request.messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n');
}

/** A RunContextV1 for tests: named teachers, a recipe folder, a fixed seed. */
export function testContext(teachers: Record<string, TeacherV1>, overrides: Partial<RunContextV1> = {}): RunContextV1 {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    runName: 'test',
    runDir: '/tmp/synth-test-run',
    workDir: '/tmp/synth-test-run/work',
    seed: 42,
    signal: new AbortController().signal,
    logger: silent,
    progress: { start() {}, advance() {}, end() {} },
    recipeDir: process.cwd(),
    async getTeacher(reference) {
      const teacher = teachers[reference];
      if (!teacher) throw new Error(`test context has no teacher "${reference}"`);
      return teacher;
    },
    resolveModel: (reference) => reference,
    env: () => undefined,
    ...overrides,
  };
}

/** Collects a selector's decisions for an array of rows. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export async function* streamOf<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}
