import type { DatasetV1 } from '../../shared/v1/dataset-v1';

export interface EvaluatorV1Request {
  /** Where per-item results (`items.jsonl`), the summary and tables go. */
  outputDir: string;
  /** Optional dataset input (e.g. held-out rows for a task-specific evaluator). */
  input?: DatasetV1;
}

export interface EvaluatorV1Result {
  /** Benchmark name, e.g. `ifeval`. */
  benchmark: string;
  /** Metrics per evaluated model name: `{ student: { prompt_level_strict_acc: 0.41 } }`. */
  metrics: Record<string, Record<string, number>>;
  /** Optional per-category breakdown per model: `{ student: { writing: 7.1 } }`. */
  categories?: Record<string, Record<string, number>>;
  /** A Markdown comparison table (models side by side), printed and put in the report. */
  table: string;
}

/**
 * An evaluator runs a benchmark against one or more models (any teacher-shaped endpoint: the
 * student served locally, the teacher, an API), with a judge where the benchmark needs one. The
 * models and judge come from its options (references resolved with `context.getTeacher`).
 */
export interface EvaluatorV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  doEvaluate(request: EvaluatorV1Request): PromiseLike<EvaluatorV1Result>;
}
