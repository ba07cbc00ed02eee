/**
 * What a teacher can do. Core checks a recipe's needs against these before any data call:
 * a stage asking for `topLogprobs` needs `logprobs`; white-box scoring needs `score`; KD needs the
 * student's tokenizer to equal `tokenizerId`.
 */
export interface TeacherV1Capabilities {
  /** Returns per-token log-probabilities of generated tokens. */
  logprobs: boolean;
  /** Most alternatives per position it can return (OpenAI: 20; a local model: its vocabulary size). */
  maxTopLogprobs: number;
  /** Can score a given response under teacher forcing (white-box). */
  score: boolean;
  /** Token ids are the ones of this tokenizer (a content hash); undefined when unknown (API models). */
  tokenizerId?: string;
}
