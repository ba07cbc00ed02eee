import { z } from 'zod';

/** Options every trainer takes (SFT, KD, DPO). */
export const trainingOptionsShape = {
  /** Student model: a Hugging Face folder (relative to the recipe) or Hub id. */
  student: z.string().min(1).optional(),
  /** An earlier stage's model to continue from (staged distillation); instead of `student`. */
  from: z.string().min(1).optional(),
  epochs: z.number().int().positive().default(1),
  /** Stop after this many optimizer steps (default: all epochs). */
  maxSteps: z.number().int().positive().optional(),
  /** Sequences (DPO: pairs) per micro-batch. */
  batchSize: z.number().int().positive().default(4),
  /** Micro-batches per optimizer step. */
  gradientAccumulation: z.number().int().positive().default(1),
  learningRate: z.number().positive().default(1e-5),
  weightDecay: z.number().min(0).default(0.01),
  adamBeta1: z.number().min(0).max(1).default(0.9),
  adamBeta2: z.number().min(0).max(1).default(0.999),
  adamEpsilon: z.number().positive().default(1e-8),
  schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  /** Warm-up steps; `warmupRatio` of the total when not given. */
  warmupSteps: z.number().int().min(0).optional(),
  warmupRatio: z.number().min(0).max(1).default(0.03),
  /** Largest global gradient norm (0 disables clipping). */
  maxGradNorm: z.number().min(0).default(1),
  /** Sequences longer than this many tokens are cut (prompt kept, response truncated). */
  maxLength: z.number().int().positive().default(1024),
  /** Fraction of rows held out for the eval loss (chosen by a seeded shuffle). */
  evalFraction: z.number().min(0).max(0.5).default(0.05),
  /** Evaluate every N optimizer steps (and at the start and end); 0 = start and end only. */
  evalEvery: z.number().int().min(0).default(0),
  /** Checkpoint every N optimizer steps (and at the end). */
  checkpointEvery: z.number().int().positive().default(100),
  /** Checkpoints kept in `checkpointDir` (older ones are deleted). */
  keepCheckpoints: z.number().int().positive().default(2),
  /** Seed of the shuffle and split (default: the run's stage seed). */
  seed: z.number().int().optional(),
  /** TensorFlow.js backend (default: the fastest that starts; `$EASYDISTILL_BACKEND`). */
  backend: z.enum(['tensorflow', 'webgpu', 'wasm', 'cpu']).optional(),
  /** Rows of the LM head computed at once: peak logits memory is chunkSize × vocabulary floats. */
  chunkSize: z.number().int().positive().default(256),
  /** Batch sequences of similar length together (less padding). */
  bucketByLength: z.boolean().default(true),
  /** Storage dtype of saved weights. */
  saveDtype: z.enum(['float32', 'bfloat16', 'float16']).default('float32'),
};

function exactlyOneStudent(options: { student?: string; from?: string }): boolean {
  return (options.student === undefined) !== (options.from === undefined);
}
const studentMessage = { message: 'give exactly one of "student" (a model folder or Hub id) and "from" (an earlier stage\'s model)', path: ['student'] };

/** SFT: cross-entropy on the assistant tokens of the rendered chats. */
export const sftOptionsSchema = z.strictObject({ ...trainingOptionsShape }).refine(exactlyOneStudent, studentMessage);
export type SftOptions = z.output<typeof sftOptionsSchema>;

/** KD: `(1 − alpha)·CE + alpha·KD` against the teacher's stored top-k log-probabilities. */
export const kdOptionsSchema = z
  .strictObject({
    ...trainingOptionsShape,
    loss: z.enum(['forward-kl', 'reverse-kl', 'jsd']).default('forward-kl'),
    /** Generalised JSD teacher weight, strictly between 0 and 1. */
    beta: z.number().gt(0).lt(1).default(0.5),
    temperature: z.number().positive().default(1),
    /** Multiply the KD term by T². */
    temperatureSquared: z.boolean().default(false),
    /** Weight of the KD term in the mix; 1 = KD only. */
    alpha: z.number().min(0).max(1).default(0.5),
    /** Teacher top-k as a target: renormalised over the k, raw, or raw plus a tail bucket. */
    topKMode: z.enum(['renormalize', 'raw', 'tail']).default('renormalize'),
  })
  .refine(exactlyOneStudent, studentMessage);
export type KdOptions = z.output<typeof kdOptionsSchema>;

/** DPO: sigmoid preference loss on `chosen` / `rejected` rows against a frozen reference. */
export const dpoOptionsSchema = z
  .strictObject({
    ...trainingOptionsShape,
    /** Strength of the KL constraint to the reference. */
    beta: z.number().positive().default(0.1),
  })
  .refine(exactlyOneStudent, studentMessage);
export type DpoOptions = z.output<typeof dpoOptionsSchema>;

/** The fields the training loop reads. */
export type TrainingOptions = SftOptions;
