import type { RowV1 } from '../../shared/v1/row-v1';
import type { TopKLogitsV1 } from '../../shared/v1/top-k-logits-v1';

/** One row an agent produced, with the teacher's top-k logits when the stage stores them. */
export interface AgentV1Output {
  row: RowV1;
  logits?: TopKLogitsV1;
}

/** A row the agent could not process: kept, with the reason and the raw teacher text, in the stage's rejected file. */
export interface AgentV1Rejection {
  row: RowV1;
  reason: string;
  raw?: string;
}

export interface AgentV1Result {
  outputs: AgentV1Output[];
  rejected?: AgentV1Rejection[];
}

/**
 * An agent turns each input row into zero or more rows by asking a teacher: expansion (1 to n),
 * rewriting (1 to 1), chain-of-thought, reasoning-length rewriting, responses, extraction.
 *
 * Core calls `doProcess` once per input row, concurrently, and commits results in input order with
 * committed offsets, so a killed run resumes after its last committed row. Output ids must derive
 * from the input id (`${row.id}/${k}`), so a re-run emits the same ids.
 */
export interface AgentV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  /** Rows processed at once (teacher concurrency is the teacher's own limit). Default 8. */
  readonly concurrency?: number;
  doProcess(row: RowV1): PromiseLike<AgentV1Result>;
}
