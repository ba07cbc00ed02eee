import type { ChatMessageV1 } from '../../shared/v1/chat-message-v1';

/** One generation request. Sampling fields left undefined take the teacher's own defaults. */
export interface TeacherV1Request {
  messages: ChatMessageV1[];
  /** Number of completions for the same prompt (self-consistency, best-of-n). Default 1. */
  n?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  /**
   * Ask for per-token log-probabilities with this many alternatives (0 to the teacher's
   * `maxTopLogprobs`: 20 for OpenAI; a local model can return its whole vocabulary); needs `logprobs`.
   */
  topLogprobs?: number;
  signal?: AbortSignal;
}

/**
 * White-box scoring request: the teacher's top-k log-probabilities at every position of `response`
 * given `messages` (rendered with the teacher's chat template and the generation prompt), under
 * teacher forcing. Needs the `score` capability.
 */
export interface TeacherV1ScoreRequest {
  messages: ChatMessageV1[];
  response: string;
  topK: number;
  signal?: AbortSignal;
}
