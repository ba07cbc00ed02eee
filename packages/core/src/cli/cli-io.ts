import type { CommandIoV1 } from '../plugin/plugin-manifest';

/** What CLI commands write to and read from; the process's in main.ts, captured in tests. */
export interface CliIo extends CommandIoV1 {
  /** Whether stderr is a terminal (progress is redrawn in place). */
  isTerminal: boolean;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** Writes a line. */
export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
