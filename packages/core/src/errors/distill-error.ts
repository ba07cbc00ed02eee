const brand = Symbol.for('distill.error');

export type DistillErrorCode =
  | 'PLUGIN_NOT_FOUND'
  | 'INCOMPATIBLE_PLUGIN'
  | 'INVALID_PLUGIN'
  | 'INVALID_RECIPE'
  | 'MISSING_CAPABILITY'
  | 'INVALID_DATASET'
  | 'INVALID_MODEL'
  | 'TEACHER_REQUEST_FAILED'
  | 'COMPONENT_FAILED'
  | 'RUN_FAILED'
  | 'USAGE';

/**
 * Base of every error the toolkit throws on purpose. The CLI prints `message` alone (no stack) and
 * exits non-zero; anything that is not a DistillError is a bug and is printed with its stack.
 */
export class DistillError extends Error {
  private readonly [brand] = true;
  readonly code: DistillErrorCode;

  constructor(options: { code: DistillErrorCode; message: string; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = 'DistillError';
    this.code = options.code;
  }

  /** Works across duplicated copies of @easydistill/core; never use instanceof. */
  static isInstance(value: unknown): value is DistillError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
