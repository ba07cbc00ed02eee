import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TeacherV1Capabilities } from '../spec/teacher/v1/teacher-v1-capabilities';
import type { TeacherV1Request, TeacherV1ScoreRequest } from '../spec/teacher/v1/teacher-v1-request';
import type { TeacherV1Response, TeacherV1ScoreResponse } from '../spec/teacher/v1/teacher-v1-response';
import { RequestCache } from './request-cache';
import type { TeacherUsage } from './usage-counter';

function withoutSignal<Request extends { signal?: AbortSignal }>(request: Request): Omit<Request, 'signal'> {
  const { signal: _signal, ...rest } = request;
  return rest;
}

/**
 * Wraps a plugin's teacher with the request cache and usage counting. `usage` is the record the
 * calls are counted into (core gives each stage its own wrapper over the same teacher, so usage is
 * per stage while the cache and the teacher are shared).
 */
export class CachedTeacher implements TeacherV1 {
  readonly specificationVersion = 'v1' as const;

  /**
   * @param modelVersion identifies the weights behind `inner.modelId` when the name alone does not
   * (a model folder opened by path: two stages' `model` folders share a name, and a folder trained
   * again keeps it); it joins the cache key, so answers of other weights are never replayed.
   */
  constructor(
    private readonly inner: TeacherV1,
    private readonly cache: RequestCache,
    private readonly usage: TeacherUsage,
    private readonly modelVersion?: string,
  ) {}

  private keyOf(kind: 'generate' | 'score', request: object): string {
    const model = this.modelVersion ? `${this.inner.modelId}@${this.modelVersion}` : this.inner.modelId;
    return RequestCache.key({ kind, componentId: this.inner.componentId, model, request });
  }

  get componentId(): string {
    return this.inner.componentId;
  }

  get modelId(): string {
    return this.inner.modelId;
  }

  doCapabilities(): PromiseLike<TeacherV1Capabilities> {
    return this.inner.doCapabilities();
  }

  async doGenerate(request: TeacherV1Request): Promise<TeacherV1Response> {
    const key = this.keyOf('generate', withoutSignal(request));
    return this.through(key, () => Promise.resolve(this.inner.doGenerate(request)));
  }

  get doScore(): ((request: TeacherV1ScoreRequest) => Promise<TeacherV1ScoreResponse>) | undefined {
    const inner = this.inner;
    if (typeof inner.doScore !== 'function') return undefined;
    return async (request) => {
      const key = this.keyOf('score', withoutSignal(request));
      return this.through(key, () => Promise.resolve(inner.doScore!(request)));
    };
  }

  private async through<Response extends { usage?: { promptTokens: number; completionTokens: number } }>(key: string, call: () => Promise<Response>): Promise<Response> {
    let called = false;
    try {
      const { value, hit } = await this.cache.getOrCompute(key, async () => {
        called = true;
        return call();
      });
      if (hit) this.usage.cacheHits += 1;
      else {
        this.usage.calls += 1;
        this.usage.promptTokens += value.usage?.promptTokens ?? 0;
        this.usage.completionTokens += value.usage?.completionTokens ?? 0;
        // A teacher with a price table prices each call (teacher-openai: usage.costUsd); the stage sums it.
        const cost = (value.usage as { costUsd?: unknown } | undefined)?.costUsd;
        if (typeof cost === 'number' && Number.isFinite(cost)) this.usage.costUsd = (this.usage.costUsd ?? 0) + cost;
      }
      return value;
    } catch (error) {
      if (called) {
        this.usage.calls += 1;
        this.usage.failures += 1;
      }
      throw error;
    }
  }
}
