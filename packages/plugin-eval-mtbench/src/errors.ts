import { DistillError, type DistillErrorCode } from '@easydistill/core';

/** The specific reasons this package fails for, each mapped to a core error code. */
const CODES: Record<string, DistillErrorCode> = {
  MTBENCH_BAD_JUDGMENTS: 'INVALID_DATASET',
  MTBENCH_BAD_ANSWER: 'INVALID_DATASET',
  MTBENCH_MISSING_REFERENCE: 'INVALID_DATASET',
  MTBENCH_BAD_TEMPLATE: 'COMPONENT_FAILED',
  MTBENCH_CALLS_FAILED: 'COMPONENT_FAILED',
};

/**
 * The error every part of this package throws: a core `DistillError` (so the CLI prints the message
 * alone) whose `reason` names the specific failure, e.g. `MTBENCH_BAD_JUDGMENTS`; the message names
 * the file, line or option at fault and how to fix it.
 */
export class MtBenchError extends DistillError {
  /** Stable machine-readable reason within this package. */
  readonly reason: string;

  constructor(reason: keyof typeof CODES, message: string, options?: { cause?: unknown }) {
    super({ code: CODES[reason] ?? 'COMPONENT_FAILED', message, cause: options?.cause });
    this.name = 'MtBenchError';
    this.reason = reason;
  }
}
