/**
 * Progress of long work. Core renders it (terminal bar, plain lines, or `--json` events) with rate
 * and ETA; components only report counts.
 */
export interface ProgressV1 {
  /** Declare (or revise) the amount of work; `unit` is shown, e.g. `rows`, `steps`. */
  start(total: number | undefined, unit: string): void;
  /** Add `done` units of finished work; `metrics` are shown and logged (loss, lr, tokens/s). */
  advance(done: number, metrics?: Record<string, number>): void;
  end(): void;
}
