import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import type { DependencyContainer } from 'tsyringe';
import { type TeacherUsage } from '../cache/usage-counter';
import { FileDataset } from '../dataset/file-dataset';
import { DistillError } from '../errors/distill-error';
import type { ExtensionPointInstances } from '../plugin/plugin-manifest';
import type { ResolvedStage } from '../recipe/resolved-recipe';
import type { ProgressV1 } from '../spec/shared/v1/progress-v1';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import { writeJsonAtomic } from '../store/atomic-write';
import { cutTornTail, removeStaleTemporaryFiles } from '../store/repair';
import { VERSION } from '../version';
import { stageSeed } from './fingerprint';
import { createContext, stageDirectory, type RunEnvironment } from './run-environment';
import { runRowStage } from './run-row-stage';
import { clearPartialFiles, runEvaluatorStage, runPublisherStage, runSelectorStage, runTrainerStage } from './run-whole-stage';
import { freshStageState, readStageState, stageFiles, writeStageState, type StageState } from './stage-state';

export interface StageHooks {
  createComponent(context: RunContextV1): Promise<{ component: ExtensionPointInstances[keyof ExtensionPointInstances]; container: DependencyContainer }>;
  modelCard(modelName: string): string;
  reportPath(): string | undefined;
}

function subtractUsage(after: TeacherUsage, before: TeacherUsage): TeacherUsage {
  return {
    calls: after.calls - before.calls,
    cacheHits: after.cacheHits - before.cacheHits,
    promptTokens: after.promptTokens - before.promptTokens,
    completionTokens: after.completionTokens - before.completionTokens,
    failures: after.failures - before.failures,
    ...(after.costUsd !== undefined ? { costUsd: after.costUsd - (before.costUsd ?? 0) } : {}),
  };
}

function inputDataset(environment: RunEnvironment, stage: ResolvedStage): FileDataset {
  const artifact = environment.artifacts.get(stage.in!);
  if (!artifact || artifact.kind !== 'dataset') throw new DistillError({ code: 'INVALID_RECIPE', message: `Stage "${stage.id}": no dataset "${stage.in}"` });
  return new FileDataset(stage.in!, artifact.path, artifact.format, artifact.logitsPath, artifact.stageId === undefined);
}

/**
 * Runs one stage in its folder `runs/<name>/stages/<id>/`: starts it over when its fingerprint
 * changed, resumes a row-wise stage from its committed state, re-runs other kinds whole, and
 * writes provenance, metrics and the final state. Returns the state and this invocation's usage.
 */
export async function runStage(environment: RunEnvironment, stage: ResolvedStage, fingerprint: string, hooks: StageHooks): Promise<{ state: StageState; usage: TeacherUsage }> {
  const directory = stageDirectory(environment, stage.id);
  const files = stageFiles(directory);
  const reporter = environment.reporter;
  const previous = readStageState(files.state);
  let state: StageState;
  const rowWise = stage.entry.kind === 'agent' || stage.entry.kind === 'verifier';
  if (previous && previous.fingerprint !== fingerprint) {
    reporter.event({ type: 'stage-reset', stage: stage.id, reason: 'changed' }, `[${stage.id}] recipe, plugin or input changed since the last run; starting the stage over`);
    rmSync(directory, { recursive: true, force: true });
  }
  mkdirSync(directory, { recursive: true });
  // Leftovers of a killed attempt: temporary files of atomic writes, half a metrics line.
  removeStaleTemporaryFiles(directory);
  cutTornTail(files.metrics);
  if (previous && previous.fingerprint === fingerprint && previous.status === 'running' && rowWise) {
    state = previous;
    reporter.event({ type: 'stage-resume', stage: stage.id, rowsDone: state.rowsIn }, `[${stage.id}] resuming after ${state.rowsIn} committed rows`);
  } else {
    clearPartialFiles(directory);
    state = freshStageState(stage.id, fingerprint);
    if (previous && previous.fingerprint === fingerprint) state.usage = previous.usage;
    if (rowWise) {
      // Start from empty files: anything left by an attempt that never committed is discarded.
      rmSync(files.output, { force: true });
      rmSync(files.rejected, { force: true });
      rmSync(files.logits, { force: true });
    }
    writeStageState(files.state, state);
  }
  const usageBefore = { ...state.usage };
  const seed = stageSeed(environment.recipe.recipe.seed, stage.id);
  const provenance = {
    recipe: { name: environment.recipe.recipe.name, file: environment.recipe.file, hash: environment.recipe.hash },
    stage: { id: stage.id, index: stage.index, use: stage.entry.id, kind: stage.entry.kind, in: stage.in, out: stage.out },
    plugin: `${stage.entry.plugin.name}@${stage.entry.plugin.version}`,
    plugins: environment.recipe.plugins.map((plugin) => `${plugin.manifest.name}@${plugin.manifest.version}`),
    core: `@easydistill/core@${VERSION}`,
    options: stage.rawOptions,
    resolvedOptions: stage.options,
    seeds: { recipe: environment.recipe.recipe.seed, stage: seed },
    teachers: stage.teacherNeeds.map((need) => ({ reference: need.reference, component: environment.recipe.components.get(need.reference)?.entry.id })),
    fingerprint,
  };
  writeJsonAtomic(files.provenance, provenance);
  reporter.event({ type: 'stage-start', stage: stage.id, kind: stage.entry.kind, use: stage.entry.id, index: stage.index }, `[${stage.id}] ${stage.entry.kind} ${stage.entry.id}`);

  const shown = reporter.stage(stage.id);
  const progress: ProgressV1 = {
    start: (total, unit) => shown.start(total, unit),
    advance: (done, metrics) => {
      shown.advance(done, metrics);
      if (metrics) appendFileSync(files.metrics, `${JSON.stringify({ time: new Date().toISOString(), done: shown.done, ...metrics })}\n`);
    },
    end: () => shown.end(),
  };
  const context = createContext(environment, { workDir: directory, seed, scope: stage.id, progress, usage: state.usage });
  const started = Date.now();
  const { component, container } = await hooks.createComponent(context);
  try {
    switch (stage.entry.kind) {
      case 'agent':
      case 'verifier':
        await runRowStage({ stage, component: component as ExtensionPointInstances['agent'], input: inputDataset(environment, stage), directory, state, signal: environment.signal, progress: shown });
        break;
      case 'selector':
        await runSelectorStage(stage, component as ExtensionPointInstances['selector'], inputDataset(environment, stage), directory, state, shown);
        break;
      case 'trainer':
        await runTrainerStage(component as ExtensionPointInstances['trainer'], inputDataset(environment, stage), directory, state);
        break;
      case 'evaluator':
        await runEvaluatorStage(component as ExtensionPointInstances['evaluator'], stage.in ? inputDataset(environment, stage) : undefined, directory, state);
        break;
      case 'publisher': {
        const model = environment.artifacts.get(stage.in!)!;
        await runPublisherStage(component as ExtensionPointInstances['publisher'], model.path, hooks.modelCard(`${environment.recipe.recipe.name}-${stage.in}`), hooks.reportPath(), directory, state);
        break;
      }
      default:
        throw new DistillError({ code: 'INVALID_RECIPE', message: `Stage "${stage.id}": a ${stage.entry.kind} cannot be a stage` });
    }
  } catch (error) {
    if (DistillError.isInstance(error) && error.code === 'COMPONENT_FAILED' && rowWise) rmSync(files.state, { force: true });
    throw error;
  } finally {
    await container.dispose();
  }
  if (!rowWise) state.seconds += (Date.now() - started) / 1000;
  state.status = 'done';
  state.finishedAt = new Date().toISOString();
  const usage = subtractUsage(state.usage, usageBefore);
  appendFileSync(files.metrics, `${JSON.stringify({ time: state.finishedAt, stage: stage.id, rowsIn: state.rowsIn, rowsOut: state.rowsOut, rowsRejected: state.rowsRejected, rowsFailed: state.rowsFailed, seconds: state.seconds, usage: state.usage })}\n`);
  writeJsonAtomic(files.provenance, { ...provenance, usage: state.usage, finishedAt: state.finishedAt });
  writeStageState(files.state, state);
  reporter.event(
    { type: 'stage-end', stage: stage.id, rowsIn: state.rowsIn, rowsOut: state.rowsOut, rowsRejected: state.rowsRejected, rowsFailed: state.rowsFailed, seconds: state.seconds, usage },
    `[${stage.id}] done: ${state.rowsIn} in, ${state.rowsOut} out, ${state.rowsRejected} rejected; teacher ${usage.calls} calls, ${usage.cacheHits} cached, ${usage.promptTokens}+${usage.completionTokens} tokens${usage.costUsd !== undefined ? `, $${usage.costUsd.toFixed(4)}` : ''}`,
  );
  return { state, usage };
}

