import * as tf from '@tensorflow/tfjs';

/** The divergences a KD loss can use between teacher and student distributions. */
export type DivergenceKind = 'forward-kl' | 'reverse-kl' | 'jsd';

/** Options of `divergence` and `divergenceGradient`. */
export interface DivergenceOptions {
  kind: DivergenceKind;
  /** Generalised JSD mixing weight of the teacher, 0 < β < 1 (default 0.5). */
  beta?: number;
  /** 1/0 per bucket, `[rows, buckets]`: buckets with 0 (padded top-k slots) add nothing. */
  mask?: tf.Tensor2D;
}

function masked(values: tf.Tensor, mask?: tf.Tensor2D): tf.Tensor {
  return mask ? tf.mul(values, mask) : values;
}

function checkBeta(beta: number): void {
  if (!(beta > 0 && beta < 1)) throw new RangeError(`jsd beta must lie strictly between 0 and 1, got ${beta}`);
}

/** log M for M = β·p_T + (1−β)·p_S, computed as a log-sum-exp of the two weighted log-probabilities. */
function logMixture(student: tf.Tensor, teacher: tf.Tensor, beta: number): tf.Tensor {
  const a = tf.add(teacher, Math.log(beta));
  const b = tf.add(student, Math.log(1 - beta));
  const high = tf.maximum(a, b);
  return tf.add(high, tf.log(tf.add(tf.exp(tf.sub(a, high)), tf.exp(tf.sub(b, high)))));
}

/**
 * Per-row divergence between teacher and student given their log-probabilities over the same
 * buckets (`[rows, buckets]`, the full vocabulary or a top-k support): forward KL
 * Σ p_T (log p_T − log p_S), reverse KL Σ p_S (log p_S − log p_T), or generalised JSD
 * β·KL(p_T‖M) + (1−β)·KL(p_S‖M) with M = β·p_T + (1−β)·p_S. Buckets need not sum to one (raw
 * top-k). Differentiable with respect to both inputs. Returns `[rows]`.
 */
export function divergence(student: tf.Tensor2D, teacher: tf.Tensor2D, options: DivergenceOptions): tf.Tensor1D {
  return tf.tidy(() => {
    switch (options.kind) {
      case 'forward-kl':
        return tf.sum(masked(tf.mul(tf.exp(teacher), tf.sub(teacher, student)), options.mask), -1) as tf.Tensor1D;
      case 'reverse-kl':
        return tf.sum(masked(tf.mul(tf.exp(student), tf.sub(student, teacher)), options.mask), -1) as tf.Tensor1D;
      case 'jsd': {
        const beta = options.beta ?? 0.5;
        checkBeta(beta);
        const logM = logMixture(student, teacher, beta);
        const towardTeacher = tf.sum(masked(tf.mul(tf.exp(teacher), tf.sub(teacher, logM)), options.mask), -1);
        const towardStudent = tf.sum(masked(tf.mul(tf.exp(student), tf.sub(student, logM)), options.mask), -1);
        return tf.add(tf.mul(towardTeacher, beta), tf.mul(towardStudent, 1 - beta)) as tf.Tensor1D;
      }
    }
  });
}

/**
 * The derivative of `divergence` with respect to the student log-probabilities, in closed form
 * (the chunked LM head needs it without a nested gradient tape):
 * forward KL −p_T; reverse KL p_S (log p_S − log p_T + 1); JSD (1−β)·p_S·(log p_S − log M).
 * Same shape as the inputs.
 */
export function divergenceGradient(student: tf.Tensor2D, teacher: tf.Tensor2D, options: DivergenceOptions): tf.Tensor2D {
  return tf.tidy(() => {
    switch (options.kind) {
      case 'forward-kl':
        return masked(tf.neg(tf.exp(teacher)), options.mask) as tf.Tensor2D;
      case 'reverse-kl':
        return masked(tf.mul(tf.exp(student), tf.add(tf.sub(student, teacher), 1)), options.mask) as tf.Tensor2D;
      case 'jsd': {
        const beta = options.beta ?? 0.5;
        checkBeta(beta);
        const logM = logMixture(student, teacher, beta);
        return masked(tf.mul(tf.mul(tf.exp(student), tf.sub(student, logM)), 1 - beta), options.mask) as tf.Tensor2D;
      }
    }
  });
}
