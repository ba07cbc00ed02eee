import type { z } from 'zod';
import type { AgentV1 } from '../spec/agent/v1/agent-v1';
import type { EvaluatorV1 } from '../spec/evaluator/v1/evaluator-v1';
import type { PublisherV1 } from '../spec/publisher/v1/publisher-v1';
import type { SelectorV1 } from '../spec/selector/v1/selector-v1';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TrainerV1 } from '../spec/trainer/v1/trainer-v1';
import type { VerifierV1 } from '../spec/verifier/v1/verifier-v1';

/** Major version of the plugin API this core implements. */
export const PLUGIN_API_VERSION = 1;
/** Plugin API majors this core can load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

export type ExtensionPoint = 'teacher' | 'agent' | 'selector' | 'verifier' | 'trainer' | 'evaluator' | 'publisher';

export interface ExtensionPointInstances {
  teacher: TeacherV1;
  agent: AgentV1;
  selector: SelectorV1;
  verifier: VerifierV1;
  trainer: TrainerV1;
  evaluator: EvaluatorV1;
  publisher: PublisherV1;
}

/**
 * What a component needs from a teacher it references, declared so core can refuse a recipe
 * before any data call (a stage asking for log-probabilities of a teacher that has none).
 */
export interface TeacherNeedV1 {
  /** The reference as written in the options (component name, model folder, stage output). */
  reference: string;
  /** Option path that holds the reference, for the error message (`with.teacher`). */
  path: string;
  logprobs?: boolean;
  topLogprobs?: number;
  score?: boolean;
}

export interface ComponentDefinition<Kind extends ExtensionPoint = ExtensionPoint, Options = any> {
  kind: Kind;
  /** Local id; the public id is `${namespace}/${id}`. Lowercase kebab. */
  id: string;
  specificationVersion: 'v1';
  /** One line shown by `easydistill plugins`. */
  description?: string;
  /** Validated by core before create() is called. Use z.strictObject so unknown keys are errors. */
  optionsSchema: z.ZodType<Options>;
  /** Teachers this component will call, with what it needs of them (checked before any call). */
  teacherNeeds?(options: Options): TeacherNeedV1[];
  /** Dataset-producing stages: whether the stage writes a logits store beside its output. */
  writesLogits?(options: Options): boolean;
  /**
   * Teachers only: core may use this component to open a model folder, a Hub id or a model made by
   * an earlier stage when a recipe references one where a teacher is expected (evaluating the
   * student). It is created with options `{ model: <absolute path or Hub id> }`.
   */
  opensModels?: boolean;
  create(args: { options: Options; context: RunContextV1 }): ExtensionPointInstances[Kind] | Promise<ExtensionPointInstances[Kind]>;
}

/** Text streams a CLI command writes to (the process's, or a test's). */
export interface CommandIoV1 {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A CLI command a plugin adds to `easydistill` (e.g. `serve`, `eval ifeval`). `name` is the words
 * typed after `easydistill`; `run` gets the remaining arguments and returns the exit code.
 */
export interface PluginCommandV1 {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIoV1): Promise<number>;
}

export interface PluginManifest {
  /** === package.json "name" */
  name: string;
  /** === package.json "version" */
  version: string;
  /** === PLUGIN_API_VERSION the plugin was built against. */
  apiVersion: number;
  /** Recipe prefix, e.g. `synth` in `synth/expand`. Lowercase kebab. */
  namespace: string;
  provides: readonly ComponentDefinition[];
  commands?: readonly PluginCommandV1[];
}
