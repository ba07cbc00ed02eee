/**
 * The error every `@easydistill/llm-tfjs` function throws for a problem the caller can fix: a
 * missing or malformed file, an unsupported option, a backend that cannot start. `code` is a
 * stable machine-readable string; the message names the file or option and the fix.
 */
export class LlmError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmError';
    this.code = code;
  }
}
