import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { CachedTeacher } from '../cache/cached-teacher';
import type { RequestCache } from '../cache/request-cache';
import type { TeacherUsage } from '../cache/usage-counter';
import { resolveRunTeacher } from '../di/create-run-container';
import { DistillError } from '../errors/distill-error';
import type { ProgressReporter } from '../progress/progress-reporter';
import type { ResolvedRecipe } from '../recipe/resolved-recipe';
import type { ProgressV1 } from '../spec/shared/v1/progress-v1';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';

/** A dataset, model or report the run has (declared, or written by a stage). */
export interface RunArtifact {
  kind: 'dataset' | 'model' | 'report';
  path: string;
  /** Stage that writes it (undefined for the recipe's own datasets). */
  stageId?: string;
  format: 'auto' | 'alpaca' | 'sharegpt' | 'messages' | 'rows';
  logitsPath?: string;
}

/** Everything shared by the stages of one run. */
export interface RunEnvironment {
  recipe: ResolvedRecipe;
  runDir: string;
  cache: RequestCache;
  reporter: ProgressReporter;
  signal: AbortSignal;
  container: DependencyContainer;
  artifacts: Map<string, RunArtifact>;
  env: NodeJS.ProcessEnv;
}

/** Folder of a stage inside the run folder. */
export function stageDirectory(environment: RunEnvironment, stageId: string): string {
  return join(environment.runDir, 'stages', stageId);
}

/** `resolveModel`: a model a stage wrote, or a path against the recipe's folder, or a Hub id as is. */
export function resolveModelReference(environment: RunEnvironment, reference: string): string {
  const artifact = environment.artifacts.get(reference);
  if (artifact?.kind === 'model') return artifact.path;
  if (reference.startsWith('.') || reference.startsWith('/') || reference.startsWith('~')) return resolve(environment.recipe.directory, reference);
  return reference;
}

/**
 * A version of a local model folder for the request cache: a hash of its files' names, sizes and
 * modification times. Models opened by path are named by their folder (`stages/sft/model` and
 * `stages/kd/model` are both "model"), so the name alone would replay one model's answers for
 * another, or for the same folder trained again. Undefined for a Hub id or a missing path.
 */
export function modelFolderVersion(path: string): string | undefined {
  try {
    const stat = statSync(path);
    const hash = createHash('sha256');
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const file = statSync(join(path, name));
        if (file.isFile()) hash.update(`${name}\0${file.size}\0${file.mtimeMs}\n`);
      }
    } else hash.update(`${stat.size}\0${stat.mtimeMs}`);
    return hash.digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

/**
 * The cache version of the model behind a teacher reference: a model opened by path (a stage's
 * model, a folder) or a component whose `model` option is a path; undefined for Hub ids and API
 * model names, which name their weights themselves.
 */
function modelVersionOf(environment: RunEnvironment, reference: string): string | undefined {
  const component = environment.recipe.components.get(reference);
  const model = component ? (component.options as { model?: unknown } | undefined)?.model : reference;
  if (typeof model !== 'string') return undefined;
  const path = resolveModelReference(environment, model);
  return isAbsolute(path) ? modelFolderVersion(path) : undefined;
}

/** The plugin's teacher for a reference, shared by the run (not wrapped). */
export function sharedTeacher(environment: RunEnvironment, reference: string): Promise<TeacherV1> {
  return resolveRunTeacher(environment.container, reference, async () => {
    const component = environment.recipe.components.get(reference);
    if (component) {
      if (component.entry.kind !== 'teacher') {
        throw new DistillError({ code: 'INVALID_RECIPE', message: `components.${reference} is a ${component.entry.kind}, not a teacher` });
      }
      const context = createContext(environment, {
        workDir: join(environment.runDir, 'components', reference),
        seed: environment.recipe.recipe.seed,
        scope: reference,
      });
      return (await component.entry.definition.create({ options: component.options, context })) as TeacherV1;
    }
    const opener = environment.recipe.catalog.modelOpener();
    if (!opener) {
      throw new DistillError({
        code: 'INVALID_MODEL',
        message: `"${reference}" is not a teacher under components, and no installed plugin opens models. Add "@easydistill/plugin-teacher-local" to plugins.`,
      });
    }
    const model = resolveModelReference(environment, reference);
    const parsed = opener.definition.optionsSchema.safeParse({ model });
    if (!parsed.success) {
      throw new DistillError({ code: 'INVALID_MODEL', message: `${opener.id} cannot open "${model}": ${parsed.error.issues.map((issue) => issue.message).join('; ')}` });
    }
    const context = createContext(environment, { workDir: join(environment.runDir, 'components', 'models'), seed: environment.recipe.recipe.seed, scope: reference });
    return (await opener.definition.create({ options: parsed.data, context })) as TeacherV1;
  }).teacher;
}

const silentProgress: ProgressV1 = { start() {}, advance() {}, end() {} };

/** Builds a RunContextV1. Teachers it hands out count their calls into `usage` (when given). */
export function createContext(
  environment: RunEnvironment,
  options: { workDir: string; seed: number; scope: string; progress?: ProgressV1; usage?: TeacherUsage; signal?: AbortSignal },
): RunContextV1 {
  const usage = options.usage;
  return {
    runName: environment.recipe.recipe.name,
    runDir: environment.runDir,
    workDir: options.workDir,
    seed: options.seed,
    signal: options.signal ?? environment.signal,
    logger: environment.reporter.logger(options.scope),
    progress: options.progress ?? silentProgress,
    recipeDir: environment.recipe.directory,
    async getTeacher(reference: string): Promise<TeacherV1> {
      const teacher = await sharedTeacher(environment, reference);
      const version = modelVersionOf(environment, reference);
      return new CachedTeacher(teacher, environment.cache, usage ?? { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, failures: 0 }, version);
    },
    resolveModel: (reference: string) => resolveModelReference(environment, reference),
    env: (name: string) => environment.env[name],
  };
}
