import { definePlugin, defineTrainer } from '@easydistill/core';
import packageJson from '../package.json' with { type: 'json' };
import { DpoTrainer } from './trainers/dpo-trainer';
import { KdTrainer } from './trainers/kd-trainer';
import { SftTrainer } from './trainers/sft-trainer';
import { dpoOptionsSchema, kdOptionsSchema, sftOptionsSchema } from './trainers/training-options';

export * from './losses/index';
export { SftTrainer, sftTask, readSftExamples } from './trainers/sft-trainer';
export { KdTrainer, kdTask, readKdExamples, type KdExample } from './trainers/kd-trainer';
export { DpoTrainer, dpoTask, readDpoPairs } from './trainers/dpo-trainer';
export {
  sftOptionsSchema,
  kdOptionsSchema,
  dpoOptionsSchema,
  type SftOptions,
  type KdOptions,
  type DpoOptions,
} from './trainers/training-options';
export { latestCheckpoint, type TrainerState } from './training/checkpoint-store';

/** `trainer-tfjs/sft`: supervised fine-tuning on the teacher's responses (black-box distillation). */
export const sftTrainer = defineTrainer({
  id: 'sft',
  description: 'SFT on teacher responses (loss on assistant tokens), AdamW, warm-up + cosine/linear, checkpoints and resume.',
  optionsSchema: sftOptionsSchema,
  create: ({ options, context }) => new SftTrainer(options, context),
});

/** `trainer-tfjs/kd`: white-box distillation from the stored top-k teacher log-probabilities. */
export const kdTrainer = defineTrainer({
  id: 'kd',
  description: "Top-k logit distillation (forward/reverse KL, JSD) from the dataset's logits store; teacher and student share a tokenizer.",
  optionsSchema: kdOptionsSchema,
  create: ({ options, context }) => new KdTrainer(options, context),
});

/** `trainer-tfjs/dpo`: direct preference optimisation on `chosen` / `rejected` rows. */
export const dpoTrainer = defineTrainer({
  id: 'dpo',
  description: 'DPO (sigmoid loss, beta) on chosen/rejected rows, reference log-probabilities computed once and cached.',
  optionsSchema: dpoOptionsSchema,
  create: ({ options, context }) => new DpoTrainer(options, context),
});

/** The plugin manifest (default export, loaded by core): three trainers under `trainer-tfjs/`. */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'trainer-tfjs',
  provides: [sftTrainer, kdTrainer, dpoTrainer],
});
