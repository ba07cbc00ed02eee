import * as tf from '@tensorflow/tfjs';

/** Summed log-probabilities of the chosen and rejected responses under one model, `[pairs]` each. */
export interface PairLogProbs {
  chosen: tf.Tensor1D;
  rejected: tf.Tensor1D;
}

/**
 * DPO sigmoid loss per pair, −log σ(β·((π_c − ref_c) − (π_r − ref_r))) (Rafailov et al. 2023),
 * computed as softplus(−x) for stability. Differentiable with respect to the policy terms.
 * Returns `[pairs]`.
 */
export function dpoSigmoidLoss(policy: PairLogProbs, reference: PairLogProbs, beta: number): tf.Tensor1D {
  return tf.tidy(() => tf.softplus(tf.neg(dpoMargin(policy, reference, beta))) as tf.Tensor1D);
}

/** The implicit-reward margin β·((π_c − ref_c) − (π_r − ref_r)) per pair, `[pairs]`. */
export function dpoMargin(policy: PairLogProbs, reference: PairLogProbs, beta: number): tf.Tensor1D {
  return tf.tidy(() => {
    const chosen = tf.sub(policy.chosen, reference.chosen);
    const rejected = tf.sub(policy.rejected, reference.rejected);
    return tf.mul(tf.sub(chosen, rejected), beta) as tf.Tensor1D;
  });
}
