import type { RowV1 } from '../../shared/v1/row-v1';

/** A verdict on one row. Failing rows go to the rejected file with `reason`; nothing is dropped silently. */
export interface VerifierV1Verdict {
  pass: boolean;
  reason: string;
  /** Added to `row.meta` under the verifier's component id (scores, extracted answers). */
  annotations?: Record<string, unknown>;
}

/**
 * A verifier checks rows: LLM-judge factuality and consistency, rule checks (format, length, JSON,
 * language, phrases), maths final-answer equivalence, self-consistency.
 * Called once per row, concurrently, with committed offsets like agents.
 */
export interface VerifierV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  readonly concurrency?: number;
  doVerify(row: RowV1): PromiseLike<VerifierV1Verdict>;
}
