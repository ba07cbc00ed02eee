import * as tf from '@tensorflow/tfjs';
import { LogitsStoreReader, type RunContextV1, type TrainerV1, type TrainerV1Request, type TrainerV1Result } from '@easydistill/core';
import { parseModelConfig, type CausalLM, type Tokenizer } from '@easydistill/llm-tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { heldOutSplit, type PaddedBatch, type SequenceExample } from '../data/batching';
import { promptMessages, rowMessages } from '../data/row-messages';
import { checkTeacherTokens } from '../data/teacher-alignment';
import { tokenizeChat } from '../data/tokenize-chat';
import type { HeadTargets } from '../losses/chunked-lm-head-loss';
import { trainerError } from '../trainer-error';
import { headLoss, inGroups } from '../training/head-loss';
import { runTraining, type TrainingTask } from '../training/training-loop';
import { loadStudent } from './load-student';
import { toSequenceExample } from './sft-trainer';
import type { KdOptions } from './training-options';

/** A sequence whose response tokens are the teacher's, with where they start. */
export interface KdExample extends SequenceExample {
  /** Index in `ids` of the teacher's response token 0, or −1 when the store has no row for it. */
  responseStart: number;
  responseLength: number;
}

/** Turns a padded batch into head targets: CE everywhere, KD where the teacher has top-k. */
function kdTargets(batch: PaddedBatch, examples: KdExample[], reader: LogitsStoreReader, options: KdOptions, scale: number): HeadTargets {
  const k = reader.k;
  const rows = batch.labels.length;
  const topIds = new Int32Array(rows * k).fill(-1);
  const topLogprobs = new Float32Array(rows * k);
  const weights = new Float32Array(rows);
  const crossEntropyWeights = new Float32Array(rows).fill((1 - options.alpha) * scale);
  // Fetched per batch by row id: the store is never held in memory.
  const teacher = examples.map((example) => (example.responseStart >= 0 ? reader.get(example.rowId) : undefined));
  for (let row = 0; row < rows; row += 1) {
    const example = examples[batch.sequence[row]!]!;
    const logits = teacher[batch.sequence[row]!];
    const t = batch.position[row]! - example.responseStart;
    if (!logits || t < 0 || t >= logits.tokenIds.length) continue;
    // Matched by row id and token position, never by step: position t of the teacher's response.
    topIds.set(logits.topIds.subarray(t * logits.k, (t + 1) * logits.k), row * k);
    topLogprobs.set(logits.topLogprobs.subarray(t * logits.k, (t + 1) * logits.k), row * k);
    weights[row] = options.alpha * scale;
  }
  return { labels: batch.labels, crossEntropyWeights, teacher: { k, topIds, topLogprobs, weights } };
}

/** KD task over `examples` with the store `reader`. */
export function kdTask(examples: KdExample[], reader: LogitsStoreReader, options: KdOptions, seed: number, padId: number): TrainingTask<KdExample> {
  const { train, heldOut } = heldOutSplit(examples, options.evalFraction, seed);
  const head = (report?: { crossEntropy: number; kd: number }) => ({
    chunkSize: options.chunkSize,
    divergence: options.loss,
    beta: options.beta,
    temperature: options.temperature,
    temperatureSquared: options.temperatureSquared,
    mode: options.topKMode,
    report,
  });
  return {
    train,
    heldOut,
    lengthOf: (example) => example.ids.length,
    unitsOf: (example) => example.targets.length,
    loss(model: CausalLM, batch, scale, report) {
      const parts = { crossEntropy: 0, kd: 0 };
      const loss = tf.sum(headLoss(model, batch, padId, (padded) => kdTargets(padded, batch, reader, options, scale), head(parts))) as tf.Scalar;
      report.crossEntropy = (report.crossEntropy ?? 0) + parts.crossEntropy;
      report.kd = (report.kd ?? 0) + parts.kd;
      return loss;
    },
    evaluate(model: CausalLM, evaluated) {
      const unweighted = { ...options, alpha: 0.5 };
      const totals = { crossEntropy: 0, kd: 0, tokens: 0, teacherTokens: 0 };
      for (const batch of inGroups(evaluated, 4)) {
        const parts = { crossEntropy: 0, kd: 0 };
        tf.tidy(() => headLoss(model, batch, padId, (padded) => {
          const targets = kdTargets(padded, batch, reader, unweighted, 2);
          totals.teacherTokens += targets.teacher!.weights.reduce((sum, weight) => sum + (weight > 0 ? 1 : 0), 0);
          return targets;
        }, head(parts)).dataSync());
        totals.crossEntropy += parts.crossEntropy;
        totals.kd += parts.kd;
        totals.tokens += batch.reduce((sum, example) => sum + example.targets.length, 0);
      }
      return { evalLoss: totals.crossEntropy / Math.max(1, totals.tokens), evalKd: totals.kd / Math.max(1, totals.teacherTokens) };
    },
  };
}

/**
 * Tokenizes the rows with the teacher's response ids in place of the response text, checking
 * every row's teacher tokens against the student tokenizer first (see `checkTeacherTokens`).
 */
export async function readKdExamples(request: TrainerV1Request, reader: LogitsStoreReader, tokenizer: Tokenizer, vocabSize: number, maxLength: number, context: RunContextV1): Promise<KdExample[]> {
  const examples: KdExample[] = [];
  let missing = 0;
  for await (const row of request.train.rows()) {
    const logits = reader.get(row.id);
    const messages = rowMessages(row);
    if (!logits) {
      missing += 1;
      const chat = tokenizeChat(tokenizer, messages, row.id);
      examples.push({ ...toSequenceExample(row.id, chat.ids, chat.assistant, maxLength), responseStart: -1, responseLength: 0 });
      continue;
    }
    checkTeacherTokens(row, messages.at(-1)!.content, logits, tokenizer, vocabSize, reader.path);
    const chat = tokenizeChat(tokenizer, [...promptMessages(row), messages.at(-1)!], row.id, logits.tokenIds);
    const example = toSequenceExample(row.id, chat.ids, chat.assistant, maxLength);
    if (example.targets.length > 0) examples.push({ ...example, responseStart: chat.lastResponseStart, responseLength: logits.tokenIds.length });
  }
  if (missing > 0) context.logger.warn(`${missing} rows have no teacher logits in ${reader.path}; they are trained with cross-entropy only.`);
  return examples;
}

/**
 * `trainer-tfjs/kd`: white-box distillation from the teacher's stored top-k log-probabilities,
 * `(1 − alpha)·CE + alpha·KD` with forward KL, reverse KL or generalised JSD.
 */
export class KdTrainer implements TrainerV1 {
  readonly specificationVersion = 'v1';
  readonly componentId = 'trainer-tfjs/kd';

  constructor(
    private readonly options: KdOptions,
    private readonly context: RunContextV1,
  ) {}

  async doTrain(request: TrainerV1Request): Promise<TrainerV1Result> {
    if (!request.train.logitsPath) {
      throw trainerError(
        'INVALID_DATASET',
        `${this.componentId}: dataset "${request.train.name}" has no logits store. Produce it with a stage that collects top-k log-probabilities (e.g. synth/respond with topLogprobs), or use trainer-tfjs/sft.`,
      );
    }
    const { studentDir, tokenizer } = await loadStudent(this.options, this.context, this.componentId);
    const config = parseModelConfig(JSON.parse(readFileSync(join(studentDir, 'config.json'), 'utf8')) as Record<string, unknown>, join(studentDir, 'config.json'));
    const reader = LogitsStoreReader.open(request.train.logitsPath);
    try {
      const seed = this.options.seed ?? this.context.seed;
      const examples = await readKdExamples(request, reader, tokenizer, config.vocabSize, this.options.maxLength, this.context);
      const task = kdTask(examples, reader, this.options, seed, tokenizer.padTokenId);
      return await runTraining(task, { componentId: this.componentId, studentDir, tokenizer, options: this.options, context: this.context, request });
    } finally {
      reader.close();
    }
  }
}
