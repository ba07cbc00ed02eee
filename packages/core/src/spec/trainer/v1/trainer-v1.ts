import type { DatasetV1 } from '../../shared/v1/dataset-v1';

export interface TrainerV1Request {
  /** Training rows (and their logits store, for KD). */
  train: DatasetV1;
  /** Where the final model folder goes (Hugging Face layout). */
  outputDir: string;
  /** Where checkpoints go; the trainer resumes from the newest one it finds here. */
  checkpointDir: string;
}

export interface TrainerV1Result {
  /** The final model folder (equals the request's `outputDir`). */
  modelDir: string;
  /** Final metrics (train loss, eval loss, steps, tokens/s). */
  metrics: Record<string, number>;
}

/**
 * A trainer trains a student from a dataset: `sft` (black-box), `kd` (white-box from stored top-k
 * log-probabilities), `dpo` (ranking). It reports metrics through `context.progress`, writes them
 * to its work folder as it goes, checkpoints every N steps, and resumes from its last checkpoint.
 * The student (a model folder or an earlier stage's model) comes from its options.
 */
export interface TrainerV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  doTrain(request: TrainerV1Request): PromiseLike<TrainerV1Result>;
}
