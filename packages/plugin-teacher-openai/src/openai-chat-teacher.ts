import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import {
  DistillError,
  type ChatMessageV1,
  type LoggerV1,
  type TeacherV1,
  type TeacherV1Capabilities,
  type TeacherV1Request,
  type TeacherV1Response,
  type TeacherV1ScoreRequest,
  type TeacherV1ScoreResponse,
  type UsageV1,
} from '@easydistill/core';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { createNodeHttpFetch, type NodeHttpFetch } from './node-http-fetch';
import { parseChatCompletion } from './parse-openai-response';
import { openaiTeacherOptionsSchema, type OpenAITeacherOptions, type ResolvedOpenAITeacherOptions } from './openai-teacher-options';
import { RateBudget } from './rate-budget';
import { backoffDelayMs, classifyAttemptError } from './retry-policy';
import { parseScoreCompletion, scoreRequestBody } from './score-over-api';
import { sleep } from './sleep';
import { UsageMeter, type UsageTotals } from './usage-meter';

/** What the teacher needs from the run: environment lookup (secrets by name) and a logger. */
export interface OpenAITeacherEnvironment {
  env(name: string): string | undefined;
  logger?: LoggerV1;
  signal?: AbortSignal;
}

const silentLogger: LoggerV1 = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * `teacher-openai/chat`: a teacher on any OpenAI-compatible endpoint through the official SDK.
 *
 * Every call runs under the concurrency limit and the rpm/tpm budgets, with its own retry loop
 * (the SDK's retries are off): 429 (honouring Retry-After), 5xx, connection resets and timeouts are
 * retried with exponential backoff and jitter up to `maxAttempts`; then, or on a non-retryable
 * answer (4xx, a malformed body), the call throws a DistillError `TEACHER_REQUEST_FAILED` whose
 * message is the reason, and core rejects that row. Nothing here ever ends the run by itself.
 */
export class OpenAIChatTeacher implements TeacherV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'teacher-openai/chat';
  readonly modelId: string;
  readonly options: ResolvedOpenAITeacherOptions;

  private readonly client: OpenAI;
  private readonly fetch: NodeHttpFetch;
  private readonly limiter: ConcurrencyLimiter;
  private readonly requestBudget?: RateBudget;
  private readonly tokenBudget?: RateBudget;
  private readonly meter: UsageMeter;
  private readonly logger: LoggerV1;
  private readonly runSignal?: AbortSignal;
  private capabilities?: Promise<TeacherV1Capabilities>;

  constructor(options: OpenAITeacherOptions, environment: OpenAITeacherEnvironment) {
    this.options = openaiTeacherOptionsSchema.parse(options);
    this.modelId = this.options.model;
    this.logger = environment.logger ?? silentLogger;
    this.runSignal = environment.signal;
    const baseURL = this.options.baseURL ?? (this.options.baseURLEnv ? environment.env(this.options.baseURLEnv) : undefined);
    if (this.options.baseURLEnv && !baseURL) {
      throw new DistillError({
        code: 'INVALID_RECIPE',
        message: `teacher-openai/chat: options.baseURLEnv names "${this.options.baseURLEnv}", which is not set. Export it (e.g. export ${this.options.baseURLEnv}=http://127.0.0.1:8000/v1) or give options.baseURL.`,
      });
    }
    const apiKeyName = this.options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const apiKey = environment.env(apiKeyName);
    if (this.options.apiKeyEnv && !apiKey) {
      throw new DistillError({
        code: 'INVALID_RECIPE',
        message: `teacher-openai/chat: options.apiKeyEnv names "${apiKeyName}", which is not set. Export the key in that variable (the recipe holds its name, never the key).`,
      });
    }
    // Local endpoints (easydistill serve, vLLM, Ollama) usually need no key; the SDK insists on one.
    this.fetch = createNodeHttpFetch({ maxSockets: this.options.concurrency });
    this.client = new OpenAI({ apiKey: apiKey ?? 'no-key', baseURL, maxRetries: 0, timeout: this.options.timeoutMs, fetch: this.fetch });
    this.limiter = new ConcurrencyLimiter(this.options.concurrency);
    if (this.options.rpm) this.requestBudget = new RateBudget(this.options.rpm);
    if (this.options.tpm) this.tokenBudget = new RateBudget(this.options.tpm);
    this.meter = new UsageMeter(this.options.prices);
  }

  /** Logprobs are always requestable (endpoints that ignore them make the call fail as malformed); `score` only after a successful probe. */
  doCapabilities(): Promise<TeacherV1Capabilities> {
    this.capabilities ??= this.probe();
    return this.capabilities;
  }

  async doGenerate(request: TeacherV1Request): Promise<TeacherV1Response> {
    const options = this.options;
    const n = request.n ?? options.n ?? 1;
    const maxTokens = request.maxTokens ?? options.maxTokens;
    const topLogprobs = request.topLogprobs;
    const wantLogprobs = topLogprobs !== undefined;
    const body: Record<string, unknown> = {
      model: options.model,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    };
    if (n !== 1) body.n = n;
    setIfDefined(body, 'temperature', request.temperature ?? options.temperature);
    setIfDefined(body, 'top_p', request.topP ?? options.topP);
    setIfDefined(body, 'max_tokens', maxTokens);
    setIfDefined(body, 'seed', request.seed ?? options.seed);
    const stop = request.stop ?? options.stop;
    if (stop && stop.length > 0) body.stop = stop;
    // Not an OpenAI parameter; vLLM, llama.cpp and easydistill serve accept it. Sent only when asked for.
    setIfDefined(body, 'top_k', request.topK);
    if (wantLogprobs) {
      body.logprobs = true;
      body.top_logprobs = topLogprobs;
    }
    const estimate = estimateTokens(request.messages, (maxTokens ?? 256) * n);
    const parsed = await this.call('chat.completions', estimate, request.signal, async (signal, headers) => {
      const answer = await this.client.chat.completions.create(body as never, { signal, timeout: options.timeoutMs, headers });
      return parseChatCompletion(answer, wantLogprobs);
    });
    return { choices: parsed.choices, usage: this.priced(parsed.usage), model: parsed.model ?? options.model };
  }

  async doScore(request: TeacherV1ScoreRequest): Promise<TeacherV1ScoreResponse> {
    const capabilities = await this.doCapabilities();
    if (!capabilities.score) {
      throw new DistillError({
        code: 'MISSING_CAPABILITY',
        message: `teacher-openai/chat (${this.modelId}): the endpoint does not support white-box scoring (completions with echo + logprobs over chat messages); use easydistill serve or a local teacher.`,
      });
    }
    const body = scoreRequestBody(this.options.model, request);
    const estimate = estimateTokens(request.messages, Math.ceil(request.response.length / 4));
    const parsed = await this.call('completions (score)', estimate, request.signal, async (signal, headers) => {
      const answer = await this.client.completions.create(body as never, { signal, timeout: this.options.timeoutMs, headers });
      return parseScoreCompletion(answer);
    });
    return { tokens: parsed.tokens, usage: this.priced(parsed.usage), model: parsed.model ?? this.options.model };
  }

  /**
   * A call's usage, with its cost in US dollars as `costUsd` when the options give a price table
   * (core sums the usage of each stage's calls; the cost rides along with the tokens).
   */
  private priced(usage: UsageV1): UsageV1 & { costUsd?: number } {
    return this.options.prices ? { ...usage, costUsd: this.meter.costOf(usage) } : usage;
  }

  /** Calls, tokens and cost so far (cost only with a price table). */
  usage(): UsageTotals {
    return this.meter.snapshot();
  }

  async doClose(): Promise<void> {
    this.fetch.destroy();
    const totals = this.meter.snapshot();
    if (totals.attempts > 0) this.logger.info(`teacher-openai/chat ${this.modelId}: usage`, { ...totals });
  }

  private async probe(): Promise<TeacherV1Capabilities> {
    const base: TeacherV1Capabilities = { logprobs: true, maxTopLogprobs: this.options.maxTopLogprobs, score: false };
    if (this.options.score === 'off') return base;
    try {
      const scored = await this.call('completions (score probe)', 16, undefined, async (signal, headers) => {
        const answer = await this.client.completions.create(
          scoreRequestBody(this.options.model, { messages: [{ role: 'user', content: 'Hello' }], response: 'Hi', topK: 1 }) as never,
          { signal, timeout: this.options.timeoutMs, headers },
        );
        return parseScoreCompletion(answer);
      });
      const score = scored.tokens.length > 0 && scored.tokens.every((token) => token.id !== undefined);
      const tokenizerId = score ? await this.readTokenizerId() : undefined;
      this.logger.debug(`teacher-openai/chat ${this.modelId}: scoring over the API ${score ? 'works' : 'returned no token ids'}`);
      return { ...base, score, ...(tokenizerId ? { tokenizerId } : {}) };
    } catch (error) {
      this.logger.debug(`teacher-openai/chat ${this.modelId}: no white-box scoring (${error instanceof Error ? error.message : String(error)})`);
      return base;
    }
  }

  /** `easydistill serve` lists a `tokenizer_id` with each model; other endpoints do not. */
  private async readTokenizerId(): Promise<string | undefined> {
    try {
      const model = (await this.client.models.retrieve(this.options.model, { timeout: this.options.timeoutMs })) as unknown as { tokenizer_id?: unknown };
      return typeof model.tokenizer_id === 'string' ? model.tokenizer_id : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * One call with budgets, concurrency, per-attempt timeout and the retry loop. Every attempt of a
   * call carries the same `Idempotency-Key`, so a server that honours it (easydistill serve does)
   * answers a retry of a request it is still working on, or has answered, with that same answer
   * instead of computing it twice (a timed-out attempt may still be running there).
   */
  private async call<T extends { usage: UsageV1 }>(
    label: string,
    estimatedTokens: number,
    requestSignal: AbortSignal | undefined,
    attempt: (signal: AbortSignal | undefined, headers: Record<string, string>) => Promise<T>,
  ): Promise<T> {
    // A signal of this call's own (AbortSignal.any keeps no listener on its sources): the SDK
    // leaves its abort listener on the signal it is given, which must not pile up on the run's.
    const signal = callSignal(requestSignal, this.runSignal);
    const headers = { 'Idempotency-Key': `easydistill-${randomUUID()}` };
    const { maxAttempts } = this.options;
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      await this.requestBudget?.take(1, signal);
      await this.tokenBudget?.take(estimatedTokens, signal);
      this.meter.recordAttempt(attemptNumber > 1);
      try {
        const result = await this.limiter.run(() => attempt(signal, headers), signal);
        this.tokenBudget?.adjust(estimatedTokens - result.usage.promptTokens - result.usage.completionTokens);
        this.meter.recordSuccess(result.usage);
        return result;
      } catch (error) {
        if (signal?.aborted) throw error;
        const decision = classifyAttemptError(error, this.options.timeoutMs);
        if (!decision.retry || attemptNumber >= maxAttempts) {
          this.meter.recordFailure();
          const attempts = `${attemptNumber} attempt${attemptNumber === 1 ? '' : 's'}`;
          throw new DistillError({
            code: 'TEACHER_REQUEST_FAILED',
            message: `teacher-openai/chat ${this.modelId} ${label}: ${decision.reason} (gave up after ${attempts})`,
            cause: error,
          });
        }
        const delay = backoffDelayMs({
          attempt: attemptNumber,
          initialMs: this.options.initialBackoffMs,
          maxMs: this.options.maxBackoffMs,
          maxRetryAfterMs: this.options.maxRetryAfterMs,
          ...(decision.retryAfterMs === undefined ? {} : { retryAfterMs: decision.retryAfterMs }),
        });
        this.logger.debug(`teacher-openai/chat ${label}: ${decision.reason}; retry ${attemptNumber + 1}/${maxAttempts} in ${Math.round(delay)} ms`);
        await sleep(delay, signal);
      }
    }
  }
}

function setIfDefined(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

/** Rough token count (4 characters a token) for the tokens-per-minute budget before the real usage is known. */
function estimateTokens(messages: readonly ChatMessageV1[], completionTokens: number): number {
  const characters = messages.reduce((sum, message) => sum + message.content.length + 8, 0);
  return Math.ceil(characters / 4) + completionTokens;
}

function callSignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length > 0 ? AbortSignal.any(present) : undefined;
}
