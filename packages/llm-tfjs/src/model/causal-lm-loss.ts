import * as tf from '@tensorflow/tfjs';

/**
 * Mean next-token cross-entropy as transformers computes it for `labels = input_ids` with padding
 * set to -100: position t predicts token t+1, counted when token t+1 is not padding
 * (`attentionMask` 1). `logits` `[batch, length, vocab]`; returns a scalar.
 */
export function causalLmLoss(logits: tf.Tensor3D, inputIds: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Scalar {
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
