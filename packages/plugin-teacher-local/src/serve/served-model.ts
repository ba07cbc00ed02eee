import type { ChatMessageV1 } from '@easydistill/core';

/** What a prompt is: chat messages (rendered with the model's chat template and generation prompt), raw text, or both (text continues the rendered chat). */
export interface ServedPrompt {
  messages?: ChatMessageV1[];
  text?: string;
}

/** One token as served: id, its decoded text, log-probability, and the top alternatives (descending). */
export interface ServedToken {
  id: number;
  text: string;
  /** null for the first token of a prompt scored without any context before it. */
  logprob: number | null;
  top: Array<{ id: number; text: string; logprob: number }>;
}

export interface ServedGenerateRequest {
  prompt: ServedPrompt;
  n: number;
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  topK?: number;
  maxTokens: number;
  stop: string[];
  seed?: number;
  /** Alternatives per generated token (0 to 20); 0 still returns each token's own log-probability. */
  topLogprobs: number;
}

export interface ServedChoice {
  text: string;
  finishReason: 'stop' | 'length';
  /** The generated tokens, in order (after stop-string truncation). */
  tokens: ServedToken[];
  /**
   * Text pieces to stream, one per token (`deltas.join('') === text`): a token that ends inside a
   * multi-byte character contributes '' and the next one the whole character.
   */
  deltas: string[];
}

export interface ServedGeneration {
  choices: ServedChoice[];
  promptTokens: number;
}

export interface ServedScoreRequest {
  /** Context rendered with the chat template and generation prompt; not scored itself. */
  prefixMessages?: ChatMessageV1[];
  /** The text scored under teacher forcing. */
  text: string;
  topK: number;
}

export interface ServedScore {
  /** One entry per token of `text`. */
  tokens: ServedToken[];
  /** Character offset of each token in `text`. */
  textOffsets: number[];
  /** Tokens the rendered prefix took (0 without one). */
  prefixTokens: number;
}

/**
 * A model behind `easydistill serve`: the local Hugging Face teacher (llm-tfjs) or a GGUF model.
 * The server's batcher hands `generateBatch` every request that arrived while the previous batch
 * ran, so a model that can decode several sequences at once does so across clients.
 */
export interface ServedModel {
  readonly modelId: string;
  /** Content hash of the tokenizer (listed by `GET /v1/models` as `tokenizer_id`). */
  readonly tokenizerId?: string;
  /** Longest context in tokens, when known. */
  readonly contextLength?: number;
  /**
   * Tokens in the vocabulary, when known: the most log-probabilities a position can report (the
   * whole distribution). Without it the model reports at most 20 per position, as OpenAI does.
   */
  readonly vocabSize?: number;
  /** One result (or the Error that request met) per request, in order. */
  generateBatch(requests: readonly ServedGenerateRequest[]): Promise<Array<ServedGeneration | Error>>;
  score(request: ServedScoreRequest): Promise<ServedScore>;
  close(): Promise<void>;
}
