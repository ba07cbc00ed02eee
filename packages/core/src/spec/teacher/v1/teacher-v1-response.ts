import type { TokenLogprobV1 } from '../../shared/v1/token-logprob-v1';
import type { UsageV1 } from '../../shared/v1/usage-v1';

export interface TeacherV1Choice {
  text: string;
  finishReason: 'stop' | 'length' | 'other';
  /** Present when `topLogprobs` was asked for. One entry per generated token. */
  logprobs?: TokenLogprobV1[];
}

export interface TeacherV1Response {
  choices: TeacherV1Choice[];
  usage: UsageV1;
  /** Model name the endpoint reports; recorded in provenance. */
  model: string;
}

export interface TeacherV1ScoreResponse {
  /** One entry per response token, in order; `id` is always set (scoring needs token ids). */
  tokens: TokenLogprobV1[];
  usage: UsageV1;
  model: string;
}
