import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '@easydistill/llm-tfjs';
import { padBatch, type PaddedBatch, type SequenceExample } from '../data/batching';
import { chunkedLmHeadLoss, type ChunkedHeadOptions, type HeadTargets } from '../losses/chunked-lm-head-loss';

/**
 * Runs the decoder on a padded micro-batch, keeps the hidden states of the rows that predict a
 * target, and applies the chunked LM-head loss with the targets `build` makes from the batch.
 * Returns the per-segment sums (`[segments]`). Call inside `tf.variableGrads` to train, or
 * `tf.tidy` to evaluate.
 */
export function headLoss(
  model: CausalLM,
  sequences: SequenceExample[],
  padId: number,
  build: (batch: PaddedBatch) => HeadTargets,
  options: ChunkedHeadOptions,
): tf.Tensor1D {
  const batch = padBatch(sequences, padId);
  const hidden = model.hidden(batch.inputIds, { attentionMask: batch.attentionMask });
  const [size, length, width] = hidden.shape;
  const selected = tf.gather(tf.reshape(hidden, [size * length, width]), tf.tensor1d(batch.rows, 'int32')) as tf.Tensor2D;
  return chunkedLmHeadLoss(selected, model.lmHead(), build(batch), options);
}

/** Splits `items` into consecutive groups of `size`. */
export function inGroups<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}
