import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DistillError } from '../errors/distill-error';
import type { FileDataset } from '../dataset/file-dataset';
import type { ResolvedStage } from '../recipe/resolved-recipe';
import type { EvaluatorV1, EvaluatorV1Result } from '../spec/evaluator/v1/evaluator-v1';
import type { PublisherV1 } from '../spec/publisher/v1/publisher-v1';
import type { SelectorV1 } from '../spec/selector/v1/selector-v1';
import type { TrainerV1 } from '../spec/trainer/v1/trainer-v1';
import { AppendLog } from '../store/append-log';
import { syncDirectory, writeFileAtomic, writeJsonAtomic } from '../store/atomic-write';
import { stageFiles, type StageState } from './stage-state';

type Progress = { start(total: number | undefined, unit: string): void; advance(done: number, metrics?: Record<string, number>): void; end(): void };

/**
 * Runs a selector over the whole input. Kept rows and dropped rows (with reasons) are written to
 * temporary files that are renamed into place only when the selector has finished, so an
 * interrupted selector stage leaves nothing behind and is re-run whole.
 */
export async function runSelectorStage(stage: ResolvedStage, selector: SelectorV1, input: FileDataset, directory: string, state: StageState, progress: Progress): Promise<StageState> {
  const files = stageFiles(directory);
  const temporaryOutput = `${files.output}.partial`;
  const temporaryRejected = `${files.rejected}.partial`;
  const output = AppendLog.open(temporaryOutput, 0);
  const rejected = AppendLog.open(temporaryRejected, 0);
  const total = await input.count();
  progress.start(total, 'rows');
  let decisions = 0;
  try {
    for await (const decision of selector.doSelect(input.rows())) {
      if (typeof decision?.row?.id !== 'string') throw new DistillError({ code: 'COMPONENT_FAILED', message: `${stage.entry.id} (stage "${stage.id}") yielded a decision without a row id` });
      decisions += 1;
      if (decision.keep) {
        output.append(`${JSON.stringify(decision.row)}\n`);
        state.rowsOut += 1;
      } else {
        rejected.append(`${JSON.stringify({ stage: stage.id, reason: decision.reason ?? 'dropped by selector', row: decision.row })}\n`);
        state.rowsRejected += 1;
      }
      progress.advance(1);
    }
    output.commit();
    rejected.commit();
  } finally {
    output.close();
    rejected.close();
  }
  state.rowsIn = total;
  if (decisions < total) {
    // A reordering selector may yield fewer decisions only by dropping rows silently: refuse that.
    throw new DistillError({ code: 'COMPONENT_FAILED', message: `${stage.entry.id} (stage "${stage.id}") decided on ${decisions} of ${total} rows; a selector must yield one decision per row` });
  }
  renameSync(temporaryOutput, files.output);
  renameSync(temporaryRejected, files.rejected);
  syncDirectory(directory);
  progress.end();
  return state;
}

/** Runs a trainer; it resumes itself from its newest checkpoint in `checkpoints/`. */
export async function runTrainerStage(trainer: TrainerV1, input: FileDataset, directory: string, state: StageState): Promise<StageState> {
  const files = stageFiles(directory);
  mkdirSync(files.checkpoints, { recursive: true });
  const result = await trainer.doTrain({ train: input, outputDir: files.model, checkpointDir: files.checkpoints });
  state.rowsIn = await input.count();
  state.result = result;
  writeJsonAtomic(files.result, result);
  return state;
}

/** Runs an evaluator; its result and Markdown table are written atomically. */
export async function runEvaluatorStage(evaluator: EvaluatorV1, input: FileDataset | undefined, directory: string, state: StageState): Promise<StageState> {
  const files = stageFiles(directory);
  const outputDir = join(directory, 'eval');
  mkdirSync(outputDir, { recursive: true });
  const result: EvaluatorV1Result = await evaluator.doEvaluate({ outputDir, input });
  state.result = result;
  writeJsonAtomic(files.result, result);
  writeFileAtomic(files.report, `# ${result.benchmark}\n\n${result.table}\n`);
  return state;
}

/** Runs a publisher with the model, a generated model card and the run report. */
export async function runPublisherStage(publisher: PublisherV1, modelDir: string, modelCard: string, reportPath: string | undefined, directory: string, state: StageState): Promise<StageState> {
  const files = stageFiles(directory);
  if (!existsSync(modelDir)) throw new DistillError({ code: 'INVALID_MODEL', message: `Model folder not found: ${modelDir}` });
  mkdirSync(files.work, { recursive: true });
  const result = await publisher.doPublish({ modelDir, modelCard, reportPath, workDir: files.work });
  state.result = result;
  writeJsonAtomic(files.result, result);
  return state;
}

/** Removes leftovers of an interrupted whole-stage attempt (temporary files). */
export function clearPartialFiles(directory: string): void {
  const files = stageFiles(directory);
  rmSync(`${files.output}.partial`, { force: true });
  rmSync(`${files.rejected}.partial`, { force: true });
}

/** Reads a JSON file written by a finished stage. */
export function readResult<Value>(path: string): Value | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Value) : undefined;
}
