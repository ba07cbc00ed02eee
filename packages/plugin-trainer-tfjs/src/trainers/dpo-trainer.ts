import * as tf from '@tensorflow/tfjs';
import type { RunContextV1, TrainerV1, TrainerV1Request, TrainerV1Result } from '@easydistill/core';
import { CausalLM, type Tokenizer } from '@easydistill/llm-tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { heldOutSplit, type PaddedBatch, type SequenceExample } from '../data/batching';
import { rowMessages } from '../data/row-messages';
import { tokenizeChat } from '../data/tokenize-chat';
import { dpoMargin, dpoSigmoidLoss } from '../losses/dpo-loss';
import { trainerError } from '../trainer-error';
import { headLoss, inGroups } from '../training/head-loss';
import { runTraining, type TrainingTask } from '../training/training-loop';
import { loadStudent } from './load-student';
import { toSequenceExample } from './sft-trainer';
import type { DpoOptions } from './training-options';

/** A preference pair, tokenized, with the reference model's summed response log-probabilities. */
export interface DpoExample {
  rowId: string;
  chosen: SequenceExample;
  rejected: SequenceExample;
  reference: { chosen: number; rejected: number };
}

/** Summed log-probabilities of each sequence's targets under `model`, `[sequences]`: chosen first, then rejected. */
function sequenceLogProbs(model: CausalLM, pairs: DpoExample[], padId: number, chunkSize: number): tf.Tensor1D {
  const sequences = [...pairs.map((pair) => pair.chosen), ...pairs.map((pair) => pair.rejected)];
  const targets = (batch: PaddedBatch) => ({
    labels: batch.labels,
    crossEntropyWeights: new Float32Array(batch.labels.length).fill(1),
    segments: batch.sequence,
    segmentCount: sequences.length,
  });
  return tf.neg(headLoss(model, sequences, padId, targets, { chunkSize })) as tf.Tensor1D;
}

function split(logProbs: tf.Tensor1D, pairs: number) {
  return { chosen: tf.slice(logProbs, 0, pairs) as tf.Tensor1D, rejected: tf.slice(logProbs, pairs, pairs) as tf.Tensor1D };
}

function referenceOf(pairs: DpoExample[]) {
  return { chosen: tf.tensor1d(pairs.map((pair) => pair.reference.chosen)), rejected: tf.tensor1d(pairs.map((pair) => pair.reference.rejected)) };
}

/** DPO task: sigmoid loss averaged over the step's pairs. */
export function dpoTask(examples: DpoExample[], options: DpoOptions, seed: number, padId: number): TrainingTask<DpoExample> {
  const { train, heldOut } = heldOutSplit(examples, options.evalFraction, seed);
  return {
    train,
    heldOut,
    lengthOf: (example) => example.chosen.ids.length + example.rejected.ids.length,
    unitsOf: () => 1,
    loss(model: CausalLM, batch, scale, report) {
      const policy = split(sequenceLogProbs(model, batch, padId, options.chunkSize), batch.length);
      const reference = referenceOf(batch);
      const margin = tf.sum(dpoMargin(policy, reference, options.beta)).dataSync()[0]!;
      report.rewardMargin = (report.rewardMargin ?? 0) + margin * scale;
      return tf.mul(tf.sum(dpoSigmoidLoss(policy, reference, options.beta)), scale) as tf.Scalar;
    },
    evaluate(model: CausalLM, evaluated) {
      const totals = { loss: 0, rewardMargin: 0, logProbMargin: 0, correct: 0 };
      for (const batch of inGroups(evaluated, 4)) {
        tf.tidy(() => {
          const policy = split(sequenceLogProbs(model, batch, padId, options.chunkSize), batch.length);
          const reference = referenceOf(batch);
          const margins = dpoMargin(policy, reference, options.beta).dataSync();
          totals.loss += tf.sum(dpoSigmoidLoss(policy, reference, options.beta)).dataSync()[0]!;
          totals.logProbMargin += tf.sum(tf.sub(policy.chosen, policy.rejected)).dataSync()[0]!;
          for (const margin of margins) {
            totals.rewardMargin += margin;
            if (margin > 0) totals.correct += 1;
          }
        });
      }
      const count = Math.max(1, evaluated.length);
      return {
        evalLoss: totals.loss / count,
        evalRewardMargin: totals.rewardMargin / count,
        evalLogProbMargin: totals.logProbMargin / count,
        evalAccuracy: totals.correct / count,
      };
    },
  };
}

/** Tokenizes the preference rows (reference log-probabilities still 0). */
export async function readDpoPairs(request: TrainerV1Request, tokenizer: Tokenizer, maxLength: number): Promise<DpoExample[]> {
  const pairs: DpoExample[] = [];
  for await (const row of request.train.rows()) {
    if (typeof row.chosen !== 'string' || typeof row.rejected !== 'string') {
      throw trainerError('INVALID_DATASET', `Row "${row.id}" of dataset "${request.train.name}" needs string "chosen" and "rejected" fields for DPO.`);
    }
    const sequence = (response: string) => {
      const chat = tokenizeChat(tokenizer, rowMessages(row, response), row.id);
      return toSequenceExample(row.id, chat.ids, chat.assistant, maxLength);
    };
    pairs.push({ rowId: row.id, chosen: sequence(row.chosen), rejected: sequence(row.rejected), reference: { chosen: 0, rejected: 0 } });
  }
  return pairs;
}

/**
 * Fills each pair's reference log-probabilities, computed once with the initial model and cached
 * in `cachePath` (keyed by the model folder and the pairs' token ids), so a resumed run, whose
 * model has already moved, reuses the original reference.
 */
export async function attachReferenceLogProbs(pairs: DpoExample[], studentDir: string, cachePath: string, padId: number, chunkSize: number): Promise<'cached' | 'computed'> {
  const key = createHash('sha256').update(studentDir);
  for (const pair of pairs) key.update(`${pair.rowId}:${pair.chosen.ids.join(',')}|${pair.rejected.ids.join(',')}\n`);
  const digest = key.digest('hex');
  if (existsSync(cachePath)) {
    const cached = JSON.parse(await readFile(cachePath, 'utf8')) as { key: string; values: Array<[number, number]> };
    if (cached.key === digest) {
      pairs.forEach((pair, index) => (pair.reference = { chosen: cached.values[index]![0], rejected: cached.values[index]![1] }));
      return 'cached';
    }
  }
  const model = await CausalLM.load(studentDir);
  try {
    for (const batch of inGroups(pairs, 4)) {
      const values = tf.tidy(() => sequenceLogProbs(model, batch, padId, chunkSize).dataSync());
      batch.forEach((pair, index) => (pair.reference = { chosen: values[index]!, rejected: values[batch.length + index]! }));
    }
  } finally {
    model.dispose();
  }
  await mkdir(join(cachePath, '..'), { recursive: true });
  await writeFile(`${cachePath}.partial`, JSON.stringify({ key: digest, values: pairs.map((pair) => [pair.reference.chosen, pair.reference.rejected]) }));
  await rename(`${cachePath}.partial`, cachePath);
  return 'computed';
}

/** `trainer-tfjs/dpo`: direct preference optimisation (sigmoid loss) on `chosen` / `rejected` rows. */
export class DpoTrainer implements TrainerV1 {
  readonly specificationVersion = 'v1';
  readonly componentId = 'trainer-tfjs/dpo';

  constructor(
    private readonly options: DpoOptions,
    private readonly context: RunContextV1,
  ) {}

  async doTrain(request: TrainerV1Request): Promise<TrainerV1Result> {
    const { studentDir, tokenizer } = await loadStudent(this.options, this.context, this.componentId);
    const seed = this.options.seed ?? this.context.seed;
    const pairs = await readDpoPairs(request, tokenizer, this.options.maxLength);
    const cachePath = join(this.context.workDir, 'reference-logprobs.json');
    const how = await attachReferenceLogProbs(pairs, studentDir, cachePath, tokenizer.padTokenId, this.options.chunkSize);
    this.context.logger.info(`${this.componentId}: reference log-probabilities ${how} (${cachePath})`);
    const task = dpoTask(pairs, this.options, seed, tokenizer.padTokenId);
    return runTraining(task, { componentId: this.componentId, studentDir, tokenizer, options: this.options, context: this.context, request });
  }
}
