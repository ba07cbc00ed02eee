import * as tf from '@tensorflow/tfjs';
import type { RunContextV1, TrainerV1, TrainerV1Request, TrainerV1Result } from '@easydistill/core';
import type { CausalLM, Tokenizer } from '@easydistill/llm-tfjs';
import { heldOutSplit, type SequenceExample } from '../data/batching';
import { rowMessages } from '../data/row-messages';
import { tokenizeChat } from '../data/tokenize-chat';
import { headLoss, inGroups } from '../training/head-loss';
import { runTraining, type TrainingTask } from '../training/training-loop';
import { loadStudent } from './load-student';
import type { SftOptions } from './training-options';

/** Cuts a tokenized chat to `maxLength` and lists its target indices (assistant tokens, j ≥ 1). */
export function toSequenceExample(rowId: string, ids: number[], assistant: number[], maxLength: number): SequenceExample {
  const kept = ids.slice(0, maxLength);
  const targets: number[] = [];
  for (let index = 1; index < kept.length; index += 1) if (assistant[index]) targets.push(index);
  return { rowId, ids: Int32Array.from(kept), targets: Int32Array.from(targets) };
}

/** SFT task: cross-entropy on assistant tokens, averaged over the step's target tokens. */
export function sftTask(examples: SequenceExample[], heldOutFraction: number, seed: number, padId: number, chunkSize: number): TrainingTask<SequenceExample> {
  const { train, heldOut } = heldOutSplit(examples, heldOutFraction, seed);
  const targetsOf = (scale: number) => (batch: { labels: Int32Array }) => ({
    labels: batch.labels,
    crossEntropyWeights: new Float32Array(batch.labels.length).fill(scale),
  });
  return {
    train,
    heldOut,
    lengthOf: (example) => example.ids.length,
    unitsOf: (example) => example.targets.length,
    loss(model: CausalLM, batch, scale, report) {
      const head = { chunkSize, report: { crossEntropy: 0, kd: 0 } };
      const loss = tf.sum(headLoss(model, batch, padId, targetsOf(scale), head)) as tf.Scalar;
      report.crossEntropy = (report.crossEntropy ?? 0) + head.report.crossEntropy;
      return loss;
    },
    evaluate(model: CausalLM, examples) {
      let total = 0;
      let count = 0;
      for (const batch of inGroups(examples, 4)) {
        total += tf.tidy(() => headLoss(model, batch, padId, targetsOf(1), { chunkSize }).dataSync()[0]!);
        count += batch.reduce((sum, example) => sum + example.targets.length, 0);
      }
      return { evalLoss: total / Math.max(1, count) };
    },
  };
}

/** Tokenizes every row of the dataset (rows are streamed; token ids are kept). */
export async function readSftExamples(request: TrainerV1Request, tokenizer: Tokenizer, maxLength: number): Promise<SequenceExample[]> {
  const examples: SequenceExample[] = [];
  for await (const row of request.train.rows()) {
    const chat = tokenizeChat(tokenizer, rowMessages(row), row.id);
    const example = toSequenceExample(row.id, chat.ids, chat.assistant, maxLength);
    if (example.targets.length > 0) examples.push(example);
  }
  return examples;
}

/**
 * `trainer-tfjs/sft`: supervised fine-tuning on the teacher's responses (black-box distillation),
 * loss on assistant tokens only.
 */
export class SftTrainer implements TrainerV1 {
  readonly specificationVersion = 'v1';
  readonly componentId = 'trainer-tfjs/sft';

  constructor(
    private readonly options: SftOptions,
    private readonly context: RunContextV1,
  ) {}

  async doTrain(request: TrainerV1Request): Promise<TrainerV1Result> {
    const { studentDir, tokenizer } = await loadStudent(this.options, this.context, this.componentId);
    const seed = this.options.seed ?? this.context.seed;
    const examples = await readSftExamples(request, tokenizer, this.options.maxLength);
    const task = sftTask(examples, this.options.evalFraction, seed, tokenizer.padTokenId, this.options.chunkSize);
    return runTraining(task, { componentId: this.componentId, studentDir, tokenizer, options: this.options, context: this.context, request });
  }
}
