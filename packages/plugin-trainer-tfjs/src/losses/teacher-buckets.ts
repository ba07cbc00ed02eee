import * as tf from '@tensorflow/tfjs';

/**
 * How the teacher's stored top-k log-probabilities become a target distribution:
 * - `renormalize`: softmax over the k (the teacher's mass outside its top-k is dropped);
 * - `raw`: the k log-probabilities as stored (they sum to less than one);
 * - `tail`: the k as stored plus one bucket holding the remaining mass 1 − Σ p_k, matched by the
 *   student's mass outside those k ids.
 */
export type TopKMode = 'renormalize' | 'raw' | 'tail';

/** Log-probability stored in padded top-k slots (id −1): exp() of it is exactly 0 in float32. */
export const PADDED_LOGPROB = -1e4;

/** Smallest tail mass kept, so log(1 − Σ p) stays finite when the top-k holds (nearly) everything. */
export const MIN_TAIL_MASS = 1e-7;

/** log(max(1 − Σ exp(logProbs), MIN_TAIL_MASS)) over the last axis (masked buckets left out), `[rows, 1]`. */
export function tailLogMass(logProbs: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const probabilities = tf.exp(logProbs);
    const mass = tf.sum(mask ? tf.mul(probabilities, mask) : probabilities, -1, true);
    return tf.log(tf.maximum(tf.sub(1, mass), MIN_TAIL_MASS)) as tf.Tensor2D;
  });
}

/**
 * The teacher's bucket log-probabilities `[rows, k]` (or `[rows, k + 1]` for `tail`) from its
 * stored top-k log-probabilities `[rows, k]`, normalised exactly once here. With temperature
 * T ≠ 1 the k (plus the tail) are divided by T and renormalised, so at T = 1 `raw` and `tail`
 * return the stored values unchanged.
 */
export function teacherBucketLogProbs(topLogprobs: tf.Tensor2D, mode: TopKMode, temperature = 1): tf.Tensor2D {
  // Padded slots (id −1) must already carry PADDED_LOGPROB so they hold no mass.
  return tf.tidy(() => {
    if (mode === 'renormalize') return tf.logSoftmax(tf.div(topLogprobs, temperature)) as tf.Tensor2D;
    const withTail = tf.concat([topLogprobs, tailLogMass(topLogprobs)], -1) as tf.Tensor2D;
    const tempered = temperature === 1 ? withTail : (tf.logSoftmax(tf.div(withTail, temperature)) as tf.Tensor2D);
    const k = topLogprobs.shape[1];
    return mode === 'tail' ? tempered : (tf.slice(tempered, [0, 0], [-1, k]) as tf.Tensor2D);
  });
}

/**
 * The student's bucket log-probabilities: its full-vocabulary log-probabilities `[rows, vocab]`
 * gathered at the teacher's top-k ids `[rows, k]`, plus for `tail` the log of its mass outside
 * them. Differentiable with respect to `studentLogProbs`.
 */
export function studentBucketLogProbs(studentLogProbs: tf.Tensor2D, topIds: tf.Tensor2D, mode: TopKMode, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const gathered = gatherRows(studentLogProbs, topIds);
    if (mode !== 'tail') return gathered;
    return tf.concat([gathered, tailLogMass(gathered, mask)], -1) as tf.Tensor2D;
  });
}

/**
 * `values[r, ids[r, j]]` for every row r and column j (`[rows, vocab]` and `[rows, k]` to
 * `[rows, k]`), through a flat gather whose gradient every backend has.
 */
export function gatherRows(values: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, width] = values.shape;
    const k = ids.shape[1];
    const offsets = tf.mul(tf.range(0, rows, 1, 'int32').reshape([rows, 1]), tf.scalar(width, 'int32'));
    const flatIds = tf.reshape(tf.add(tf.cast(ids, 'int32'), offsets), [rows * k]);
    return tf.reshape(tf.gather(tf.reshape(values, [rows * width]), flatIds), [rows, k]) as tf.Tensor2D;
  });
}
