import type { LoggerV1 } from '../spec/shared/v1/logger-v1';
import type { ProgressV1 } from '../spec/shared/v1/progress-v1';

/** How progress is shown: a redrawn line (terminal), plain log lines, or NDJSON events (`--json`). */
export type ProgressMode = 'tty' | 'plain' | 'json';

/** One machine-readable event (`--json`), one JSON object per line. */
export interface RunEvent {
  type: string;
  [key: string]: unknown;
}

export interface ProgressReporterOptions {
  mode: ProgressMode;
  /** Where lines and events go (stderr for tty/plain, stdout for json, by the CLI's choice). */
  output: NodeJS.WritableStream;
  /** Clock, for tests. */
  now?: () => number;
  /** Plain mode: at most one line per this many ms (default 5 000). */
  plainIntervalMs?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function formatMetrics(metrics: Record<string, number> | undefined): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .map(([key, value]) => ` ${key}=${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join('');
}

/**
 * Renders run events and per-stage progress: rows (or steps) done, rate and ETA. On a terminal one
 * line is redrawn (at most 10 times a second); otherwise a plain line every few seconds; with
 * `--json` every event is one NDJSON line (`run-start`, `stage-start`, `progress`, `stage-end`, …).
 */
export class ProgressReporter {
  private readonly now: () => number;
  private lastDraw = 0;
  private lineOpen = false;

  constructor(private readonly options: ProgressReporterOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  get mode(): ProgressMode {
    return this.options.mode;
  }

  /** Emits an event: one NDJSON line in json mode, a log line otherwise (when `text` is given). */
  event(event: RunEvent, text?: string): void {
    if (this.options.mode === 'json') {
      this.write(`${JSON.stringify({ time: new Date(this.now()).toISOString(), ...event })}\n`);
    } else if (text !== undefined) {
      this.clearLine();
      this.write(`${text}\n`);
    }
  }

  /** A logger whose lines go through this reporter (prefixed with the stage id). */
  logger(scope: string): LoggerV1 {
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      if (level === 'debug' && !process.env.EASYDISTILL_DEBUG) return;
      const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      this.event({ type: 'log', level, scope, message, ...(fields ? { fields } : {}) }, `[${scope}] ${level === 'info' ? '' : `${level}: `}${message}${suffix}`);
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }

  /** A ProgressV1 for one stage, handed to its component and driven by the runner. */
  stage(stageId: string): ProgressV1 & { readonly done: number } {
    const clock = this.now;
    let total: number | undefined;
    let unit = 'rows';
    let done = 0;
    let startedAt = this.now();
    let startDone = 0;
    let lastPlain = 0;
    let lastJson = 0;
    let metrics: Record<string, number> | undefined;
    const render = (final: boolean) => {
      const now = this.now();
      const seconds = Math.max((now - startedAt) / 1000, 1e-3);
      const rate = (done - startDone) / seconds;
      const eta = total !== undefined && rate > 0 ? (total - done) / rate : Number.NaN;
      const text =
        `[${stageId}] ${done}${total !== undefined ? `/${total}` : ''} ${unit}` +
        `${total ? ` (${Math.floor((100 * done) / total)}%)` : ''} ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s` +
        `${total !== undefined && !final ? ` ETA ${formatDuration(eta)}` : ''}${formatMetrics(metrics)}`;
      if (this.options.mode === 'json') {
        if (final || now - lastJson >= 500) {
          lastJson = now;
          this.event({ type: 'progress', stage: stageId, done, total, unit, rate, etaSeconds: Number.isFinite(eta) ? eta : undefined, metrics });
        }
      } else if (this.options.mode === 'tty') {
        if (final || now - this.lastDraw >= 100) {
          this.lastDraw = now;
          this.write(`\r\x1b[2K${text}`);
          this.lineOpen = true;
          if (final) this.clearLine(true);
        }
      } else if (final || now - lastPlain >= (this.options.plainIntervalMs ?? 5000)) {
        lastPlain = now;
        this.write(`${text}\n`);
      }
    };
    return {
      get done() {
        return done;
      },
      start(newTotal, newUnit) {
        total = newTotal;
        unit = newUnit;
        startedAt = clock();
        startDone = done;
        render(false);
      },
      advance(count, newMetrics) {
        done += count;
        if (newMetrics) metrics = { ...metrics, ...newMetrics };
        render(false);
      },
      end() {
        render(true);
      },
    };
  }

  private clearLine(keep = false): void {
    if (!this.lineOpen) return;
    this.write(keep ? '\n' : '\r\x1b[2K');
    this.lineOpen = false;
  }

  private write(text: string): void {
    this.options.output.write(text);
  }
}
