import {
  DistillError,
  type TeacherV1,
  type TeacherV1Capabilities,
  type TeacherV1Request,
  type TeacherV1Response,
  type TeacherV1ScoreRequest,
  type TeacherV1ScoreResponse,
  type TokenLogprobV1,
} from '@easydistill/core';
import type { ServedGenerateRequest, ServedModel, ServedToken } from './serve/served-model';

/** Defaults a recipe gives the local teacher; a stage's request overrides them. */
export interface LocalTeacherDefaults {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
}

function toTokenLogprob(token: ServedToken, topLogprobs: number): TokenLogprobV1 {
  return {
    token: token.text,
    id: token.id,
    logprob: token.logprob ?? 0,
    top: token.top.slice(0, topLogprobs).map((top) => ({ token: top.text, id: top.id, logprob: top.logprob })),
  };
}

/**
 * An in-process teacher over a local model (`teacher-local/hf`, `teacher-local/gguf`): the same
 * code path `easydistill serve` answers with, so a request gives the same tokens and
 * log-probabilities in process and over HTTP. Greedy unless a temperature is given.
 */
export class LocalTeacher implements TeacherV1 {
  readonly specificationVersion = 'v1' as const;
  readonly modelId: string;

  constructor(
    readonly componentId: string,
    private readonly model: ServedModel & { readonly scores?: boolean },
    private readonly defaults: LocalTeacherDefaults = {},
  ) {
    this.modelId = model.modelId;
  }

  async doCapabilities(): Promise<TeacherV1Capabilities> {
    return {
      logprobs: true,
      // In process there is no API limit: up to the whole vocabulary where the model knows it.
      maxTopLogprobs: this.model.vocabSize ?? 20,
      score: this.model.scores !== false,
      ...(this.model.tokenizerId ? { tokenizerId: this.model.tokenizerId } : {}),
    };
  }

  async doGenerate(request: TeacherV1Request): Promise<TeacherV1Response> {
    request.signal?.throwIfAborted();
    const topLogprobs = request.topLogprobs;
    const served: ServedGenerateRequest = {
      prompt: { messages: request.messages },
      n: request.n ?? 1,
      temperature: request.temperature ?? this.defaults.temperature ?? 0,
      topP: request.topP ?? this.defaults.topP ?? 1,
      ...((request.topK ?? this.defaults.topK) === undefined ? {} : { topK: request.topK ?? this.defaults.topK }),
      maxTokens: request.maxTokens ?? this.defaults.maxTokens ?? 256,
      stop: request.stop ?? this.defaults.stop ?? [],
      ...((request.seed ?? this.defaults.seed) === undefined ? {} : { seed: request.seed ?? this.defaults.seed }),
      topLogprobs: topLogprobs ?? 0,
    };
    const [result] = await this.model.generateBatch([served]);
    if (!result || result instanceof Error) {
      throw new DistillError({ code: 'TEACHER_REQUEST_FAILED', message: `${this.componentId} ${this.modelId}: ${result?.message ?? 'no result'}`, cause: result });
    }
    return {
      model: this.modelId,
      usage: { promptTokens: result.promptTokens, completionTokens: result.choices.reduce((sum, choice) => sum + choice.tokens.length, 0) },
      choices: result.choices.map((choice) => ({
        text: choice.text,
        finishReason: choice.finishReason,
        ...(topLogprobs === undefined ? {} : { logprobs: choice.tokens.map((token) => toTokenLogprob(token, topLogprobs)) }),
      })),
    };
  }

  async doScore(request: TeacherV1ScoreRequest): Promise<TeacherV1ScoreResponse> {
    request.signal?.throwIfAborted();
    if (this.model.scores === false) {
      throw new DistillError({ code: 'MISSING_CAPABILITY', message: `${this.componentId} ${this.modelId}: this model cannot score responses (white-box scoring needs teacher-local/hf).` });
    }
    const scored = await this.model.score({ prefixMessages: request.messages, text: request.response, topK: request.topK });
    return {
      model: this.modelId,
      usage: { promptTokens: scored.prefixTokens + scored.tokens.length, completionTokens: 0 },
      tokens: scored.tokens.map((token) => toTokenLogprob(token, request.topK)),
    };
  }

  /** Closes the model once (later calls do nothing). */
  async doClose(): Promise<void> {
    this.closing ??= this.model.close();
    await this.closing;
  }

  private closing?: Promise<void>;
}
