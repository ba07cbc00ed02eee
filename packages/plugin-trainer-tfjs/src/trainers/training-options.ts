import { z } from 'zod';

/** Options every trainer takes (SFT, KD, DPO). Every option carries a description for `easydistill plugins`. */
export const trainingOptionsShape = {
  student: z
    .string()
    .min(1)
    .optional()
    .describe('Student model to start from: a Hugging Face model folder (relative to the recipe, e.g. ./models/Qwen2.5-0.5B-Instruct) or a Hub id (owner/name). Give this or `from`.'),
  from: z
    .string()
    .min(1)
    .optional()
    .describe("An earlier stage's model output (its `out` name) to continue from, for staged distillation (SFT then KD). Give this or `student`."),
  epochs: z.number().int().positive().default(1).describe('Passes over the training rows.'),
  maxSteps: z.number().int().positive().optional().describe('Stop after this many optimizer steps (default: all epochs).'),
  batchSize: z.number().int().positive().default(4).describe('Sequences (DPO: preference pairs) per micro-batch.'),
  gradientAccumulation: z
    .number()
    .int()
    .positive()
    .default(1)
    .describe('Micro-batches per optimizer step; the loss is averaged over all their target tokens once.'),
  learningRate: z.number().positive().default(1e-5).describe('Peak learning rate of AdamW.'),
  weightDecay: z.number().min(0).default(0.01).describe('AdamW decoupled weight decay (not applied to norms and biases).'),
  adamBeta1: z.number().min(0).max(1).default(0.9).describe('AdamW first-moment decay.'),
  adamBeta2: z.number().min(0).max(1).default(0.999).describe('AdamW second-moment decay.'),
  adamEpsilon: z.number().positive().default(1e-8).describe('AdamW epsilon.'),
  schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine').describe('Learning-rate decay after warm-up: cosine or linear to 0, or constant.'),
  warmupSteps: z.number().int().min(0).optional().describe('Linear warm-up steps (default: warmupRatio of the total steps).'),
  warmupRatio: z.number().min(0).max(1).default(0.03).describe('Warm-up as a fraction of the total steps, when warmupSteps is not given.'),
  maxGradNorm: z.number().min(0).default(1).describe('Clip the global gradient norm to this (0 disables clipping).'),
  maxLength: z.number().int().positive().default(1024).describe('Longest sequence in tokens; longer chats are cut at the end.'),
  evalFraction: z.number().min(0).max(0.5).default(0.05).describe('Fraction of rows held out for the eval loss (chosen by a seeded shuffle; 0 = none).'),
  evalEvery: z.number().int().min(0).default(0).describe('Evaluate on the held-out rows every N optimizer steps (and always at the start and end; 0 = start and end only).'),
  checkpointEvery: z.number().int().positive().default(100).describe('Write a checkpoint (a Hugging Face folder with trainer_state.json) every N optimizer steps and at the end; a re-run resumes from the newest.'),
  keepCheckpoints: z.number().int().positive().default(2).describe('Checkpoints kept (older ones are deleted).'),
  seed: z.number().int().optional().describe("Seed of the shuffle, the held-out split and the batch order (default: the stage's seed from the recipe)."),
  backend: z
    .enum(['tensorflow', 'webgpu', 'wasm', 'cpu'])
    .optional()
    .describe('TensorFlow.js backend (default: $EASYDISTILL_BACKEND, else the fastest that starts: tensorflow, webgpu, wasm, cpu). `cpu` is bit-for-bit repeatable.'),
  chunkSize: z
    .number()
    .int()
    .positive()
    .default(256)
    .describe('Token positions whose LM-head logits are computed at once: peak logits memory is chunkSize × vocabulary floats.'),
  bucketByLength: z.boolean().default(true).describe('Batch sequences of similar length together (less padding); the order stays seeded.'),
  saveDtype: z.enum(['float32', 'bfloat16', 'float16']).default('float32').describe('Weight dtype of the final model folder (checkpoints are always float32).'),
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
    loss: z
      .enum(['forward-kl', 'reverse-kl', 'jsd'])
      .default('forward-kl')
      .describe('Divergence to the teacher: forward KL(teacher‖student), reverse KL(student‖teacher), or generalised JSD with `beta`.'),
    beta: z.number().gt(0).lt(1).default(0.5).describe('Generalised JSD mixing weight β, strictly between 0 and 1 (loss: jsd only).'),
    temperature: z.number().positive().default(1).describe('Softmax temperature applied to both teacher and student log-probabilities.'),
    temperatureSquared: z.boolean().default(false).describe('Multiply the KD term by T² (Hinton et al.), keeping gradient scale across temperatures.'),
    alpha: z.number().min(0).max(1).default(0.5).describe('Mix (1 − alpha)·CE + alpha·KD; 1 = KD only, 0 = plain SFT.'),
    topKMode: z
      .enum(['renormalize', 'raw', 'tail'])
      .default('renormalize')
      .describe("How the teacher's stored top-k is a target: renormalised over the k, raw (mass outside the k ignored), or tail (raw plus one bucket for the remaining mass)."),
  })
  .refine(exactlyOneStudent, studentMessage);
export type KdOptions = z.output<typeof kdOptionsSchema>;

/** DPO: sigmoid preference loss on `chosen` / `rejected` rows against a frozen reference. */
export const dpoOptionsSchema = z
  .strictObject({
    ...trainingOptionsShape,
    beta: z.number().positive().default(0.1).describe('DPO β: strength of the implicit KL constraint to the reference (the starting model).'),
  })
  .refine(exactlyOneStudent, studentMessage);
export type DpoOptions = z.output<typeof dpoOptionsSchema>;

/** The fields the training loop reads. */
export type TrainingOptions = SftOptions;
