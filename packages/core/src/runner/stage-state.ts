import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TeacherUsage } from '../cache/usage-counter';
import { emptyUsage } from '../cache/usage-counter';
import { writeJsonAtomic } from '../store/atomic-write';

/**
 * What a stage has committed, in `state.json` (written atomically after the files it describes
 * were fsync'd). Row-wise stages resume after `rowsIn` input rows with their files cut back to
 * `offsets`; other stages are re-run whole until `status` is `done`.
 */
export interface StageState {
  version: 1;
  stage: string;
  /** Hash of everything the stage's result depends on; a different one starts the stage over. */
  fingerprint: string;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt?: string;
  /** Input rows whose results are committed. */
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Rows whose component call threw (also counted in rowsRejected). */
  rowsFailed: number;
  /** First failure reasons, for the message when every row fails. */
  firstFailures: string[];
  offsets: { output: number; rejected: number; metrics: number; logits?: number };
  /** k of the logits store, once its first row was written. */
  logitsK?: number;
  usage: TeacherUsage;
  seconds: number;
  /** Trainer, evaluator and publisher results. */
  result?: unknown;
}

/** Files of one stage folder. */
export function stageFiles(stageDirectory: string) {
  return {
    state: join(stageDirectory, 'state.json'),
    output: join(stageDirectory, 'output.jsonl'),
    rejected: join(stageDirectory, 'rejected.jsonl'),
    metrics: join(stageDirectory, 'metrics.jsonl'),
    provenance: join(stageDirectory, 'provenance.json'),
    logits: join(stageDirectory, 'logits.bin'),
    model: join(stageDirectory, 'model'),
    checkpoints: join(stageDirectory, 'checkpoints'),
    result: join(stageDirectory, 'result.json'),
    report: join(stageDirectory, 'report.md'),
    work: join(stageDirectory, 'work'),
  };
}

export function readStageState(path: string): StageState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StageState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function freshStageState(stage: string, fingerprint: string): StageState {
  return {
    version: 1,
    stage,
    fingerprint,
    status: 'running',
    startedAt: new Date().toISOString(),
    rowsIn: 0,
    rowsOut: 0,
    rowsRejected: 0,
    rowsFailed: 0,
    firstFailures: [],
    offsets: { output: 0, rejected: 0, metrics: 0 },
    usage: emptyUsage(),
    seconds: 0,
  };
}

export function writeStageState(path: string, state: StageState): void {
  writeJsonAtomic(path, state);
}
