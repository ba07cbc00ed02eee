import type { ChatMessageV1 } from './chat-message-v1';

/**
 * One dataset row. `id` is stable across re-runs: it is how resumed stages, the logits store and
 * the trainer match rows (never by position or training step). Rows derived from a row get
 * `${parent.id}/${k}` ids so a re-run produces the same ids.
 *
 * The canonical fields are `instruction` (+ optional `input`) and `output`, or `messages`; readers
 * of the Alpaca, ShareGPT and OpenAI-messages formats normalise to these. Anything else a stage adds
 * goes in `meta` (scores, seed ids, verdicts) so it survives every format.
 */
export interface RowV1 {
  id: string;
  instruction?: string;
  input?: string;
  output?: string;
  system?: string;
  messages?: ChatMessageV1[];
  /** Preference pairs (DPO): chosen and rejected responses to the same prompt. */
  chosen?: string;
  rejected?: string;
  meta?: Record<string, unknown>;
  [key: string]: unknown;
}
