import * as tf from '@tensorflow/tfjs';
import { fusedCrossEntropy, hasFusedCrossEntropy } from '../kernels/cross-entropy';

/**
 * Mean next-token cross-entropy as transformers computes it for `labels = input_ids` with padding
 * set to -100: position t predicts token t+1, counted when token t+1 is not padding
 * (`attentionMask` 1). `logits` `[batch, length, vocab]`; returns a scalar.
 *
 * On backends with the fused `LlmCrossEntropy` kernels (wasm, cpu) the loss and its gradient are
 * one pass each over the logits (no slice, log-softmax or gather); elsewhere the same value is
 * computed from composed ops.
 */
export function causalLmLoss(logits: tf.Tensor3D, inputIds: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, length, vocab] = logits.shape;
    if (hasFusedCrossEntropy()) {
      // Row (b, t) is labelled with token t+1 of row b; the last position and padded targets get -1 (no target).
      const next = tf.slice(tf.cast(inputIds, 'int32'), [0, 1], [batch, length - 1]);
      let labels = tf.concat([next, tf.fill([batch, 1], -1, 'int32')], 1);
      if (attentionMask) {
        const nextMask = tf.concat([tf.slice(tf.cast(attentionMask, 'int32'), [0, 1], [batch, length - 1]), tf.zeros([batch, 1], 'int32')], 1);
        labels = tf.where(tf.greater(nextMask, 0), labels, tf.fill([batch, length], -1, 'int32'));
      }
      const flatLabels = tf.reshape(labels, [-1]) as tf.Tensor1D;
      const rows = fusedCrossEntropy(tf.reshape(logits, [batch * length, vocab]) as tf.Tensor2D, flatLabels);
      const count = tf.sum(tf.cast(tf.greaterEqual(flatLabels, 0), 'float32'));
      return tf.div(tf.sum(rows), tf.maximum(count, 1)) as tf.Scalar;
    }
    return composedCausalLmLoss(logits, inputIds, attentionMask);
  });
}

/** `causalLmLoss` from composed tfjs ops (log-softmax, gather): any backend. */
export function composedCausalLmLoss(logits: tf.Tensor3D, inputIds: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, length, vocab] = logits.shape;
    const predicting = tf.reshape(tf.slice(logits, [0, 0, 0], [batch, length - 1, vocab]), [batch * (length - 1), vocab]);
    const labels = tf.reshape(tf.slice(tf.cast(inputIds, 'int32'), [0, 1], [batch, length - 1]), [-1]);
    const weights = attentionMask
      ? tf.reshape(tf.slice(tf.cast(attentionMask, 'float32'), [0, 1], [batch, length - 1]), [-1])
      : tf.ones([batch * (length - 1)]);
    const logProbabilities = tf.logSoftmax(predicting as tf.Tensor2D, -1);
    const flatIndex = tf.add(tf.mul(tf.range(0, batch * (length - 1), 1, 'int32'), tf.scalar(vocab, 'int32')), labels);
    const picked = tf.gather(tf.reshape(logProbabilities, [-1]), flatIndex);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}
