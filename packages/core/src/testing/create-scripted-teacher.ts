import type { ChatMessageV1 } from '../spec/shared/v1/chat-message-v1';
import type { TokenLogprobV1 } from '../spec/shared/v1/token-logprob-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TeacherV1Capabilities } from '../spec/teacher/v1/teacher-v1-capabilities';
import type { TeacherV1Request, TeacherV1ScoreRequest } from '../spec/teacher/v1/teacher-v1-request';
import type { TeacherV1Response, TeacherV1ScoreResponse } from '../spec/teacher/v1/teacher-v1-response';
import { hashJson } from '../util/canonical-json';

export interface ScriptedTeacherOptions {
  /** The answer to a request: one text, or one per choice (`request.n`). May be async; a throw fails the call. */
  respond(messages: ChatMessageV1[], request: TeacherV1Request): string | string[] | Promise<string | string[]>;
  componentId?: string;
  modelId?: string;
  /** Declared capabilities (default: no logprobs, no score). With `logprobs`, fake per-token log-probabilities are returned. */
  capabilities?: Partial<TeacherV1Capabilities>;
  /** Milliseconds each call takes (default 0). */
  delayMs?: number;
}

/** A deterministic teacher for unit tests, with a call counter and the requests it saw. */
export interface ScriptedTeacher extends TeacherV1 {
  /** Data calls made (doGenerate + doScore). */
  readonly calls: number;
  readonly requests: TeacherV1Request[];
  readonly closed: boolean;
  doScore(request: TeacherV1ScoreRequest): Promise<TeacherV1ScoreResponse>;
}

/** Splits text into whitespace-kept pieces: the scripted teacher's "tokens". */
export function scriptedTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** A fake but stable token id (0–31999) for a token string. */
export function scriptedTokenId(token: string): number {
  return Number.parseInt(hashJson(token).slice(0, 8), 16) % 32000;
}

function fakeLogprobs(text: string, top: number): TokenLogprobV1[] {
  return scriptedTokens(text).map((token, position) => {
    const id = scriptedTokenId(token);
    const logprob = -((scriptedTokenId(`${token}:${position}`) % 1000) / 1000);
    const alternatives = [{ token, id, logprob }];
    for (let rank = 1; rank < top; rank += 1) {
      const alternative = `${token}~${rank}`;
      alternatives.push({ token: alternative, id: scriptedTokenId(alternative), logprob: logprob - rank });
    }
    return { token, id, logprob, top: alternatives };
  });
}

/**
 * Creates a deterministic teacher: answers come from `respond`, usage counts whitespace tokens,
 * and when `capabilities.logprobs` is set, each answer carries fake log-probabilities with stable
 * fake token ids. `calls` counts every data call, so tests can check what the cache saved.
 */
export function createScriptedTeacher(options: ScriptedTeacherOptions): ScriptedTeacher {
  const capabilities: TeacherV1Capabilities = { logprobs: false, maxTopLogprobs: 0, score: false, ...options.capabilities };
  if (capabilities.logprobs && capabilities.maxTopLogprobs === 0) capabilities.maxTopLogprobs = 20;
  const requests: TeacherV1Request[] = [];
  let calls = 0;
  let closed = false;
  const delay = () => (options.delayMs ? new Promise((resolve) => setTimeout(resolve, options.delayMs)) : Promise.resolve());
  const countTokens = (messages: ChatMessageV1[]) => messages.reduce((sum, message) => sum + scriptedTokens(message.content).length, 0);
  const modelId = options.modelId ?? 'scripted-model';
  return {
    specificationVersion: 'v1',
    componentId: options.componentId ?? 'testing/scripted',
    modelId,
    get calls() {
      return calls;
    },
    get requests() {
      return requests;
    },
    get closed() {
      return closed;
    },
    async doCapabilities() {
      return capabilities;
    },
    async doGenerate(request) {
      calls += 1;
      requests.push(request);
      await delay();
      const answer = await options.respond(request.messages, request);
      const n = request.n ?? 1;
      const texts = Array.isArray(answer) ? answer : Array.from({ length: n }, () => answer);
      const top = request.topLogprobs ?? 0;
      if (top > 0 && !capabilities.logprobs) throw new Error(`${modelId} does not return log-probabilities`);
      return {
        model: modelId,
        usage: { promptTokens: countTokens(request.messages), completionTokens: texts.reduce((sum, text) => sum + scriptedTokens(text).length, 0) },
        choices: texts.map((text) => ({ text, finishReason: 'stop' as const, ...(top > 0 ? { logprobs: fakeLogprobs(text, top) } : {}) })),
      };
    },
    async doScore(request) {
      if (!capabilities.score) throw new Error(`${modelId} cannot score`);
      calls += 1;
      await delay();
      return { model: modelId, usage: { promptTokens: countTokens(request.messages), completionTokens: 0 }, tokens: fakeLogprobs(request.response, request.topK) };
    },
    async doClose() {
      closed = true;
    },
  };
}
