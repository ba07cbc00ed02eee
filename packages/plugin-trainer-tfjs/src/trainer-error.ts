import { DistillError, type DistillErrorCode } from '@easydistill/core';

/** A DistillError (code + message naming the row, file or option and the fix) thrown by the trainer. */
export function trainerError(code: DistillErrorCode, message: string, cause?: unknown): DistillError {
  return new DistillError({ code, message, cause });
}
