import type { LoggerV1 } from './logger-v1';
import type { ProgressV1 } from './progress-v1';
import type { TeacherV1 } from '../../teacher/v1/teacher-v1';

/**
 * What a component may know about the run it is part of. Everything per-run comes from here;
 * components hold no cross-run state.
 */
export interface RunContextV1 {
  /** Recipe name; the run folder is `runDir`. */
  readonly runName: string;
  readonly runDir: string;
  /** Folder the component may use for its own files (stage folder, or a component folder). */
  readonly workDir: string;
  /** Base seed of the run; stages derive theirs from it and their id. */
  readonly seed: number;
  /** Aborted when the run is cancelled (Ctrl-C) or the stage fails. */
  readonly signal: AbortSignal;
  readonly logger: LoggerV1;
  readonly progress: ProgressV1;
  /** Folder the recipe was loaded from; relative paths in options resolve against it. */
  readonly recipeDir: string;
  /**
   * A teacher declared under the recipe's `components` (by name), or a model folder / Hub id /
   * model artifact produced by an earlier stage, opened as a teacher. Calls go through core's
   * request cache, usage counting and provenance.
   */
  getTeacher(reference: string): Promise<TeacherV1>;
  /** Path of a model artifact (folder) produced by an earlier stage, or a path resolved against the recipe. */
  resolveModel(reference: string): string;
  /** Reads an environment variable by name (secrets): components never read `process.env` for keys directly. */
  env(name: string): string | undefined;
}
