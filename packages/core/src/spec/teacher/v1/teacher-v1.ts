import type { TeacherV1Capabilities } from './teacher-v1-capabilities';
import type { TeacherV1Request, TeacherV1ScoreRequest } from './teacher-v1-request';
import type { TeacherV1Response, TeacherV1ScoreResponse } from './teacher-v1-response';

/**
 * A teacher produces the reference outputs a student model is distilled from: completions, their
 * token log-probabilities, and (white-box) the top-k log-probabilities over a given response.
 *
 * Implementations hold no cross-run state: anything per-run comes from the RunContextV1 passed at
 * construction. Calls go through core (`context.getTeacher()`), which adds the request cache,
 * usage counting and provenance; stages never call a plugin's teacher object directly.
 */
export interface TeacherV1 {
  readonly specificationVersion: 'v1';
  /** Fully qualified component id, e.g. `teacher-openai/chat`. */
  readonly componentId: string;
  /** Model name used in cache keys and provenance. */
  readonly modelId: string;
  /**
   * Capabilities. May probe the endpoint (e.g. whether scoring works) on first call; core awaits
   * this before checking a recipe's needs, so no data call is made for an incapable teacher.
   */
  doCapabilities(): PromiseLike<TeacherV1Capabilities>;
  /** Generate completions. A malformed answer throws; core turns it into a rejected row. */
  doGenerate(request: TeacherV1Request): PromiseLike<TeacherV1Response>;
  /** White-box scoring; present only on teachers whose capabilities say `score`. */
  doScore?(request: TeacherV1ScoreRequest): PromiseLike<TeacherV1ScoreResponse>;
  /** Release models, sockets, servers. Called once when the run's container is disposed. */
  doClose?(): PromiseLike<void>;
}
