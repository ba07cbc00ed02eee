import { DistillError, type DistillErrorCode } from '@easydistill/core';

/** The specific reasons this package fails for, each mapped to a core error code. */
const CODES: Record<string, DistillErrorCode> = {
  ALPACA_BAD_ANNOTATIONS: 'INVALID_DATASET',
  ALPACA_BAD_DATA: 'INVALID_DATASET',
  ALPACA_BAD_INPUT: 'INVALID_DATASET',
  ALPACA_DATA_NOT_FOUND: 'INVALID_DATASET',
  ALPACA_DATA_CORRUPT: 'INVALID_DATASET',
  ALPACA_DATA_DOWNLOAD_FAILED: 'COMPONENT_FAILED',
  ALPACA_BAD_TEMPLATE: 'COMPONENT_FAILED',
  ALPACA_JUDGE_FAILED: 'COMPONENT_FAILED',
};

/**
 * The error every part of this package throws: a core `DistillError` (so the CLI prints the message
 * alone) whose `reason` names the specific failure, e.g. `ALPACA_BAD_ANNOTATIONS`; the message names
 * the file, row or option at fault and how to fix it.
 */
export class AlpacaEvalError extends DistillError {
  /** Stable machine-readable reason within this package. */
  readonly reason: string;

  constructor(reason: keyof typeof CODES, message: string, options?: { cause?: unknown }) {
    super({ code: CODES[reason] ?? 'COMPONENT_FAILED', message, cause: options?.cause });
    this.name = 'AlpacaEvalError';
    this.reason = reason;
  }
}
