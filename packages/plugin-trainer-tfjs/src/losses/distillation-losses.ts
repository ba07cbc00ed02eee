import * as tf from '@tensorflow/tfjs';
import { divergence, type DivergenceOptions } from './divergence';
import { studentBucketLogProbs, teacherBucketLogProbs, type TopKMode } from './teacher-buckets';

/** Options of the full-distribution KD losses. */
export interface DistributionLossOptions extends DivergenceOptions {
  /** Both logits are divided by T before the softmax (default 1). */
  temperature?: number;
  /** Multiply by T² (Hinton et al.), keeping gradient scale across temperatures (default false). */
  temperatureSquared?: boolean;
}

function scale(values: tf.Tensor1D, options: { temperature?: number; temperatureSquared?: boolean }): tf.Tensor1D {
  const temperature = options.temperature ?? 1;
  return options.temperatureSquared ? (tf.mul(values, temperature * temperature) as tf.Tensor1D) : values;
}

/**
 * Per-row KD loss between full student and teacher logits `[rows, vocab]`: the divergence of
 * softmax(teacher/T) and softmax(student/T). Differentiable. Returns `[rows]`.
 */
export function distributionLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, options: DistributionLossOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const temperature = options.temperature ?? 1;
    const student = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    const teacher = tf.logSoftmax(tf.div(teacherLogits, temperature)) as tf.Tensor2D;
    return scale(divergence(student, teacher, options), options);
  });
}

/** Options of `topKLoss`. */
export interface TopKLossOptions extends DistributionLossOptions {
  /** How the teacher's top-k is turned into a target (default `renormalize`). */
  mode?: TopKMode;
}

/**
 * Per-row KD loss from the teacher's stored top-k (`topIds`, `topLogprobs`, `[rows, k]`,
 * log-probabilities at T = 1): the student's full-vocabulary log-softmax(student/T) gathered at
 * the teacher's ids (plus its tail mass in `tail` mode) against the teacher's buckets
 * (see `teacherBucketLogProbs`). Differentiable with respect to `studentLogits`. Returns `[rows]`.
 */
export function topKLoss(studentLogits: tf.Tensor2D, topIds: tf.Tensor2D, topLogprobs: tf.Tensor2D, options: TopKLossOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const temperature = options.temperature ?? 1;
    const mode = options.mode ?? 'renormalize';
    const studentFull = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    const student = studentBucketLogProbs(studentFull, topIds, mode);
    const teacher = teacherBucketLogProbs(topLogprobs, mode, temperature);
    return scale(divergence(student, teacher, options), options);
  });
}

/** Per-row next-token cross-entropy −log softmax(logits)[label], `[rows, vocab]` and `[rows]` to `[rows]`. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), -1);
    return tf.neg(picked) as tf.Tensor1D;
  });
}

/** The mix `(1 − α)·CE + α·KD` of per-row (or already reduced) losses. */
export function mixLosses(crossEntropyLoss: tf.Tensor, kdLoss: tf.Tensor, alpha: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(crossEntropyLoss, 1 - alpha), tf.mul(kdLoss, alpha)));
}
