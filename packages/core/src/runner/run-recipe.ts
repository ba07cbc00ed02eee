import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { RequestCache } from '../cache/request-cache';
import { addUsage, emptyUsage, type TeacherUsage } from '../cache/usage-counter';
import { formatRow } from '../dataset/dataset-format';
import { FileDataset } from '../dataset/file-dataset';
import { createRunContainer, createStageComponent } from '../di/create-run-container';
import { DistillError } from '../errors/distill-error';
import { ProgressReporter } from '../progress/progress-reporter';
import type { ResolvedRecipe, ResolvedStage } from '../recipe/resolved-recipe';
import { AppendLog } from '../store/append-log';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomic-write';
import { removeStaleTemporaryFiles } from '../store/repair';
import { VERSION } from '../version';
import { writeRunReportHtml } from '../report/write-run-report';
import { checkStageCapabilities } from './check-capabilities';
import { producedBy, stageFingerprints } from './fingerprint';
import { createModelCard } from './model-card';
import { createContext, sharedTeacher, stageDirectory, type RunArtifact, type RunEnvironment } from './run-environment';
import { runStage } from './run-stage';
import { readStageState, stageFiles } from './stage-state';

export interface RunRecipeOptions {
  /** The run folder (default `<cwd>/runs/<recipe name>`). */
  runDir?: string;
  cwd?: string;
  reporter?: ProgressReporter;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Parent of the run's container (default tsyringe's root; tests pass their own). */
  rootContainer?: DependencyContainer;
}

export interface StageSummary {
  id: string;
  status: 'done' | 'skipped';
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  usage: TeacherUsage;
}

export interface RunSummary {
  runDir: string;
  stages: StageSummary[];
  /** Teacher usage of this invocation (a fully skipped run has 0 calls). */
  usage: TeacherUsage;
}

function plannedArtifacts(recipe: ResolvedRecipe, runDir: string): Map<string, RunArtifact> {
  const artifacts = new Map<string, RunArtifact>();
  for (const dataset of recipe.datasets.values()) artifacts.set(dataset.name, { kind: 'dataset', path: dataset.path, format: dataset.format });
  for (const stage of recipe.stages) {
    if (stage.out === undefined) continue;
    const files = stageFiles(join(runDir, 'stages', stage.id));
    if (stage.entry.kind === 'trainer') artifacts.set(stage.out, { kind: 'model', path: files.model, stageId: stage.id, format: 'rows' });
    else if (stage.entry.kind === 'evaluator') artifacts.set(stage.out, { kind: 'report', path: files.result, stageId: stage.id, format: 'rows' });
    else {
      // Verifiers and selectors keep rows and their ids: the teacher log-probabilities stored by an
      // earlier stage still describe the rows they let through (the store is read by row id).
      const kept = (stage.entry.kind === 'verifier' || stage.entry.kind === 'selector') && stage.in !== undefined ? artifacts.get(stage.in)?.logitsPath : undefined;
      artifacts.set(stage.out, { kind: 'dataset', path: files.output, stageId: stage.id, format: 'rows', logitsPath: stage.writesLogits ? files.logits : kept });
    }
  }
  return artifacts;
}

/**
 * Runs a resolved recipe: skips finished stages, resumes an unfinished one, checks teacher
 * capabilities before any data call, writes exports, and disposes the run's container (closing
 * teachers) at the end, whatever happens.
 */
export async function runRecipe(recipe: ResolvedRecipe, options: RunRecipeOptions = {}): Promise<RunSummary> {
  const cwd = options.cwd ?? process.cwd();
  const runDir = resolve(cwd, options.runDir ?? join('runs', recipe.recipe.name));
  mkdirSync(runDir, { recursive: true });
  removeStaleTemporaryFiles(runDir);
  const reporter = options.reporter ?? new ProgressReporter({ mode: 'plain', output: process.stderr });
  const signal = options.signal ?? new AbortController().signal;
  const cacheFolder = recipe.recipe.cache ? resolve(recipe.directory, recipe.recipe.cache) : join(runDir, 'cache');
  const cache = new RequestCache(cacheFolder);
  cache.removeStaleTemporaryFiles();
  const environment: RunEnvironment = {
    recipe,
    runDir,
    cache,
    reporter,
    signal,
    container: undefined as unknown as DependencyContainer,
    artifacts: plannedArtifacts(recipe, runDir),
    env: options.env ?? process.env,
  };
  const runContext = createContext(environment, { workDir: runDir, seed: recipe.recipe.seed, scope: recipe.recipe.name });
  environment.container = createRunContainer(runContext, options.rootContainer);

  const plugins = recipe.plugins.map((plugin) => `${plugin.manifest.name}@${plugin.manifest.version}`);
  writeJsonAtomic(join(runDir, 'run.json'), {
    name: recipe.recipe.name,
    recipe: recipe.file,
    recipeHash: recipe.hash,
    core: `@easydistill/core@${VERSION}`,
    plugins,
    seed: recipe.recipe.seed,
    cache: cacheFolder,
    startedAt: new Date().toISOString(),
  });
  reporter.event({ type: 'run-start', name: recipe.recipe.name, runDir, stages: recipe.stages.length, plugins }, `Run "${recipe.recipe.name}" in ${runDir}`);

  const fingerprints = stageFingerprints(recipe);
  const producers = producedBy(recipe);
  const summaries: StageSummary[] = [];
  const usage = emptyUsage();
  const started = Date.now();
  try {
    const isDone = (stage: ResolvedStage) => {
      const state = readStageState(stageFiles(stageDirectory(environment, stage.id)).state);
      return state?.status === 'done' && state.fingerprint === fingerprints.get(stage.id);
    };
    const pending = new Set(recipe.stages.filter((stage) => !isDone(stage)).map((stage) => stage.id));
    // Capabilities first, for every teacher that exists before the run (models trained by a
    // pending stage are checked when their stage starts).
    const deferred = new Map<string, ResolvedStage['teacherNeeds']>();
    for (const stage of recipe.stages) {
      if (!pending.has(stage.id)) continue;
      const now = stage.teacherNeeds.filter((need) => !(producers.has(need.reference) && pending.has(producers.get(need.reference)!.id)));
      deferred.set(stage.id, stage.teacherNeeds.filter((need) => !now.includes(need)));
      await checkStageCapabilities(stage, now, (reference) => sharedTeacher(environment, reference));
    }

    for (const stage of recipe.stages) {
      if (!pending.has(stage.id)) {
        const state = readStageState(stageFiles(stageDirectory(environment, stage.id)).state)!;
        summaries.push({ id: stage.id, status: 'skipped', rowsIn: state.rowsIn, rowsOut: state.rowsOut, rowsRejected: state.rowsRejected, usage: emptyUsage() });
        reporter.event({ type: 'stage-skip', stage: stage.id, reason: 'finished' }, `[${stage.id}] finished earlier; skipped`);
        continue;
      }
      if (signal.aborted) throw new DistillError({ code: 'RUN_FAILED', message: 'Run interrupted. Run again to resume.' });
      await checkStageCapabilities(stage, deferred.get(stage.id) ?? [], (reference) => sharedTeacher(environment, reference));
      // Publishers get the HTML run report as it stands when they start.
      const htmlReport = stage.entry.kind === 'publisher' ? await writeRunReportHtml(runDir) : undefined;
      const { state, usage: stageUsage } = await runStage(environment, stage, fingerprints.get(stage.id)!, {
        createComponent: (context) => createStageComponent(environment.container, stage.entry, stage.options, context),
        modelCard: (modelName) => createModelCard(recipe, modelName, evaluationTables(environment)),
        reportPath: () => {
          writeRunReport(environment);
          return htmlReport;
        },
      });
      if (stage.entry.kind === 'evaluator') writeRunReport(environment);
      addUsage(usage, stageUsage);
      summaries.push({ id: stage.id, status: 'done', rowsIn: state.rowsIn, rowsOut: state.rowsOut, rowsRejected: state.rowsRejected, usage: stageUsage });
    }
    for (const [name, target] of Object.entries(recipe.recipe.exports)) {
      const artifact = environment.artifacts.get(target.from)!;
      const path = resolve(recipe.directory, target.path);
      await exportDataset(artifact, target.from, path, target.format);
      reporter.event({ type: 'export', name, from: target.from, path, format: target.format }, `Exported ${target.from} → ${path} (${target.format})`);
    }
  } finally {
    await environment.container.dispose();
    // Written whatever happened, so a failed run can be inspected too; a report failure never fails the run.
    await writeRunReportHtml(runDir).then(
      (path) => reporter.event({ type: 'report', path }, `Report: ${path}`),
      (error: unknown) => reporter.logger('report').warn(`Could not write ${join(runDir, 'report.html')}: ${(error as Error).message}`),
    );
  }
  const seconds = (Date.now() - started) / 1000;
  reporter.event(
    { type: 'run-end', name: recipe.recipe.name, runDir, seconds, usage },
    `Run "${recipe.recipe.name}" finished in ${seconds.toFixed(1)}s: ${usage.calls} teacher calls, ${usage.cacheHits} from cache, ${usage.promptTokens}+${usage.completionTokens} tokens`,
  );
  return { runDir, stages: summaries, usage };
}


function evaluationTables(environment: RunEnvironment): string[] {
  const tables: string[] = [];
  for (const stage of environment.recipe.stages) {
    if (stage.entry.kind !== 'evaluator') continue;
    const report = stageFiles(stageDirectory(environment, stage.id)).report;
    if (existsSync(report)) tables.push(readFileSync(report, 'utf8'));
  }
  return tables;
}

/** Writes `report.md` in the run folder from every finished evaluator stage; returns its path, or undefined. */
function writeRunReport(environment: RunEnvironment): string | undefined {
  const tables = evaluationTables(environment);
  if (tables.length === 0) return undefined;
  const path = join(environment.runDir, 'report.md');
  writeFileAtomic(path, `# Run report: ${environment.recipe.recipe.name}\n\n${tables.join('\n')}`);
  return path;
}

/** Writes a dataset to `path` in `format`, streaming into a temporary file renamed into place. */
export async function exportDataset(artifact: RunArtifact, name: string, path: string, format: 'alpaca' | 'sharegpt' | 'messages' | 'rows'): Promise<void> {
  const temporary = `${path}.partial`;
  rmSync(temporary, { force: true });
  const output = AppendLog.open(temporary, 0);
  try {
    const dataset = new FileDataset(name, artifact.path, artifact.format);
    for await (const row of dataset.rows()) output.append(`${formatRow(row, format)}\n`);
    output.commit();
  } finally {
    output.close();
  }
  renameSync(temporary, path);
}

