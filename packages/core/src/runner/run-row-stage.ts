import { DistillError } from '../errors/distill-error';
import { FileDataset } from '../dataset/file-dataset';
import type { ResolvedStage } from '../recipe/resolved-recipe';
import type { AgentV1 } from '../spec/agent/v1/agent-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { TopKLogitsV1 } from '../spec/shared/v1/top-k-logits-v1';
import type { VerifierV1 } from '../spec/verifier/v1/verifier-v1';
import { AppendLog } from '../store/append-log';
import { LogitsStoreWriter } from '../store/logits-store';
import { stageFiles, writeStageState, type StageState } from './stage-state';

/** What one input row turned into, ready to be appended. */
interface RowOutcome {
  outputs: string;
  rejected: string;
  logits: Array<{ rowId: string; logits: TopKLogitsV1 }>;
  rowsOut: number;
  rowsRejected: number;
  failure?: string;
}

interface Slot {
  promise: Promise<RowOutcome>;
  settled: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function rejectedLine(stage: ResolvedStage, row: RowV1, reason: string, raw?: string): string {
  return `${JSON.stringify({ stage: stage.id, reason, row, ...(raw === undefined ? {} : { raw }) })}\n`;
}

/** Calls the agent or verifier for one row and turns every outcome (a throw included) into lines. */
async function processRow(stage: ResolvedStage, component: AgentV1 | VerifierV1, row: RowV1): Promise<RowOutcome> {
  const outcome: RowOutcome = { outputs: '', rejected: '', logits: [], rowsOut: 0, rowsRejected: 0 };
  try {
    if (stage.entry.kind === 'agent') {
      const result = await (component as AgentV1).doProcess(row);
      if (!result || !Array.isArray(result.outputs)) throw new Error(`${stage.entry.id} returned no { outputs } for row "${row.id}"`);
      for (const output of result.outputs) {
        if (typeof output?.row?.id !== 'string') throw new Error(`${stage.entry.id} returned an output row without a string "id" for row "${row.id}"`);
      }
      for (const output of result.outputs) {
        outcome.outputs += `${JSON.stringify(output.row)}\n`;
        outcome.rowsOut += 1;
        if (stage.writesLogits && output.logits) outcome.logits.push({ rowId: output.row.id, logits: output.logits });
      }
      for (const rejection of result.rejected ?? []) {
        outcome.rejected += rejectedLine(stage, rejection.row, rejection.reason, rejection.raw);
        outcome.rowsRejected += 1;
      }
    } else {
      const verdict = await (component as VerifierV1).doVerify(row);
      if (!verdict || typeof verdict.pass !== 'boolean') throw new Error(`${stage.entry.id} returned no verdict for row "${row.id}"`);
      const annotated: RowV1 = verdict.annotations ? { ...row, meta: { ...row.meta, [stage.entry.id]: verdict.annotations } } : row;
      if (verdict.pass) {
        outcome.outputs = `${JSON.stringify(annotated)}\n`;
        outcome.rowsOut = 1;
      } else {
        outcome.rejected = rejectedLine(stage, annotated, verdict.reason);
        outcome.rowsRejected = 1;
      }
    }
  } catch (error) {
    const reason = `${stage.entry.id} failed: ${errorText(error)}`;
    return { outputs: '', rejected: rejectedLine(stage, row, reason), logits: [], rowsOut: 0, rowsRejected: 1, failure: reason };
  }
  return outcome;
}

export interface RowStageOptions {
  stage: ResolvedStage;
  component: AgentV1 | VerifierV1;
  input: FileDataset;
  directory: string;
  state: StageState;
  signal: AbortSignal;
  progress: { start(total: number | undefined, unit: string): void; advance(done: number): void; end(): void };
  /** Called after each commit (tests use it to observe commits). */
  onCommit?: (state: StageState) => void;
}

const COMMIT_INTERVAL_MS = 100;

/**
 * Runs an agent or verifier stage row by row with bounded concurrency. Results are appended in
 * input order; a commit fsyncs the files and then records their lengths and the number of input
 * rows done in state.json (atomically). On resume the files are cut back to the committed lengths
 * and the input is read from the first uncommitted row, so no row is lost or written twice.
 */
export async function runRowStage(options: RowStageOptions): Promise<StageState> {
  const { stage, component, input, state } = options;
  const files = stageFiles(options.directory);
  const output = AppendLog.open(files.output, state.offsets.output);
  const rejected = AppendLog.open(files.rejected, state.offsets.rejected);
  let logits = state.logitsK !== undefined ? LogitsStoreWriter.open(files.logits, { k: state.logitsK, committed: state.offsets.logits }) : undefined;
  const concurrency = Math.max(1, stage.concurrency ?? component.concurrency ?? 8);
  const total = await input.count();
  options.progress.start(total, 'rows');
  options.progress.advance(state.rowsIn);
  const started = Date.now();
  const secondsBefore = state.seconds;

  let pending: RowOutcome[] = [];
  let lastCommit = Date.now();
  const commit = () => {
    if (pending.length === 0) return;
    for (const outcome of pending) {
      output.append(outcome.outputs);
      rejected.append(outcome.rejected);
      for (const entry of outcome.logits) {
        logits ??= LogitsStoreWriter.open(files.logits, { k: entry.logits.k, committed: 0 });
        state.logitsK = logits.k;
        logits.append(entry.rowId, entry.logits);
      }
      state.rowsIn += 1;
      state.rowsOut += outcome.rowsOut;
      state.rowsRejected += outcome.rowsRejected;
      if (outcome.failure) {
        state.rowsFailed += 1;
        if (state.firstFailures.length < 3) state.firstFailures.push(outcome.failure);
      }
    }
    state.offsets.output = output.commit();
    state.offsets.rejected = rejected.commit();
    if (logits) state.offsets.logits = logits.commit();
    state.seconds = secondsBefore + (Date.now() - started) / 1000;
    writeStageState(files.state, state);
    options.progress.advance(pending.length);
    pending = [];
    lastCommit = Date.now();
    options.onCommit?.(state);
  };

  const window: Slot[] = [];
  const iterator = input.rows(state.rowsIn)[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && window.length < concurrency && !options.signal.aborted) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const slot: Slot = { settled: false, promise: processRow(stage, component, next.value) };
        slot.promise.then(() => (slot.settled = true));
        window.push(slot);
      }
      if (window.length === 0) break;
      const head = window[0];
      if (!head.settled && pending.length > 0) {
        // Blocking on a slow row: commit what is finished first (at most every COMMIT_INTERVAL_MS).
        const wait = Math.max(0, COMMIT_INTERVAL_MS - (Date.now() - lastCommit));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          head.promise.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), wait))),
        ]);
        clearTimeout(timer);
        if (timedOut) commit();
      }
      pending.push(await head.promise);
      window.shift();
      while (window.length > 0 && window[0].settled) pending.push(await window.shift()!.promise);
      if (Date.now() - lastCommit >= COMMIT_INTERVAL_MS || pending.length >= 512) commit();
    }
    commit();
  } finally {
    await iterator.return?.();
    output.close();
    rejected.close();
    logits?.close();
  }
  if (options.signal.aborted) {
    throw new DistillError({ code: 'RUN_FAILED', message: `Stage "${stage.id}" interrupted after ${state.rowsIn} rows (committed). Run again to resume.` });
  }
  if (state.rowsIn > 0 && state.rowsFailed === state.rowsIn) {
    throw new DistillError({
      code: 'COMPONENT_FAILED',
      message: `Stage "${stage.id}" failed on every row (${state.rowsIn}). First reasons:\n  ${state.firstFailures.join('\n  ')}`,
    });
  }
  options.progress.end();
  return state;
}
