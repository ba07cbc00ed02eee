import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/model-config';
import { fusedRmsNorm, fusedRope, hasFusedRmsNorm, hasFusedRope } from '../kernels/decoder-kernels';
import { attentionInputs } from './attention-inputs';
import type { KVCache } from './kv-cache';
import type { LayerParameterNames, ParameterNames } from './parameter-names';
import { ropeTables } from './rope';

/** What the decoder needs besides the token ids. */
export interface DecoderContext {
  readonly config: ModelConfig;
  readonly names: ParameterNames;
  readonly inverseFrequencies: Float32Array;
  parameter(name: string): tf.Tensor;
}

/**
 * RMSNorm over the last axis, as transformers computes it: `w * x / sqrt(mean(x²) + eps)`. One
 * fused kernel (and one for its gradient) on backends that have it (wasm, cpu), composed ops elsewhere.
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  if (hasFusedRmsNorm()) return fusedRmsNorm(x, weight, eps);
  return composedRmsNorm(x, weight, eps);
}

/** `rmsNorm` from composed tfjs ops (any backend). */
export function composedRmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(weight, tf.mul(x, tf.rsqrt(tf.add(variance, eps))));
}

function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const y = tf.matMul(x, weight as tf.Tensor2D, false, true) as tf.Tensor2D;
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

function rotateHalf(x: tf.Tensor4D): tf.Tensor4D {
  const [first, second] = tf.split(x, 2, -1);
  return tf.concat([tf.neg(second), first], -1) as tf.Tensor4D;
}

/** Rotary embedding: one fused kernel on backends that have it (wasm, cpu), composed ops elsewhere. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  if (hasFusedRope()) return fusedRope(x, cos, sin);
  return composedRope(x, cos, sin);
}

/** `applyRope` from composed tfjs ops (any backend). */
export function composedRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin));
}

function attention(
  context: DecoderContext,
  layerIndex: number,
  layer: LayerParameterNames,
  x: tf.Tensor2D,
  shape: { batch: number; length: number; total: number },
  rope: { cos: tf.Tensor4D; sin: tf.Tensor4D },
  mask: tf.Tensor4D,
  cache?: KVCache,
): tf.Tensor2D {
  const { config } = context;
  const { batch, length, total } = shape;
  const heads = config.numAttentionHeads;
  const kvHeads = config.numKeyValueHeads;
  const headDim = config.headDim;
  const groups = heads / kvHeads;
  const p = (name?: string) => (name ? context.parameter(name) : undefined);
  let q = tf.reshape(linear(x, p(layer.q)!, p(layer.qBias)), [batch, length, heads, headDim]) as tf.Tensor4D;
  let k = tf.reshape(linear(x, p(layer.k)!, p(layer.kBias)), [batch, length, kvHeads, headDim]) as tf.Tensor4D;
  const v = tf.reshape(linear(x, p(layer.v)!, p(layer.vBias)), [batch, length, kvHeads, headDim]) as tf.Tensor4D;
  if (layer.qNorm && layer.kNorm) {
    q = rmsNorm(q, p(layer.qNorm)!, config.rmsNormEps) as tf.Tensor4D;
    k = rmsNorm(k, p(layer.kNorm)!, config.rmsNormEps) as tf.Tensor4D;
  }
  q = applyRope(tf.transpose(q, [0, 2, 1, 3]), rope.cos, rope.sin);
  k = applyRope(tf.transpose(k, [0, 2, 1, 3]), rope.cos, rope.sin);
  let keys = k;
  let values = tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D;
  if (cache) ({ keys, values } = cache.append(layerIndex, keys, values));
  // Grouped-query attention without repeating keys: query heads that share a key head are
  // consecutive, so [b, heads, s, d] regroups to [b, kvHeads, groups·s, d].
  const grouped = tf.reshape(q, [batch, kvHeads, groups * length, headDim]);
  const scores = tf.reshape(tf.matMul(grouped, keys, false, true), [batch, heads, length, total]);
  const scaled = tf.add(tf.mul(scores, headDim ** -0.5), mask);
  const probabilities = tf.reshape(tf.softmax(scaled, -1), [batch, kvHeads, groups * length, total]);
  const context4d = tf.reshape(tf.matMul(probabilities, values), [batch, heads, length, headDim]);
  const merged = tf.reshape(tf.transpose(context4d, [0, 2, 1, 3]), [batch * length, heads * headDim]) as tf.Tensor2D;
  return linear(merged, p(layer.o)!, p(layer.oBias));
}

function mlp(context: DecoderContext, layer: LayerParameterNames, x: tf.Tensor2D): tf.Tensor2D {
  const p = (name?: string) => (name ? context.parameter(name) : undefined);
  const gate = linear(x, p(layer.gate)!, p(layer.gateBias));
  const up = linear(x, p(layer.up)!, p(layer.upBias));
  const activated = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
  return linear(activated, p(layer.down)!, p(layer.downBias));
}

/**
 * The decoder stack up to and including the final RMSNorm: `[batch, length]` ids to
 * `[batch, length, hidden]`. `maskValues` is the 1/0 attention mask of the new tokens (row-major)
 * or null for all ones. With a cache, keys/values are appended and attention spans the cache.
 */
export function decoderHidden(
  context: DecoderContext,
  inputIds: tf.Tensor2D,
  maskValues: ArrayLike<number> | null,
  cache?: KVCache,
): tf.Tensor3D {
  const { config, names } = context;
  const [batch, length] = inputIds.shape;
  const inputs = attentionInputs(batch, length, maskValues, cache);
  const tables = ropeTables(context.inverseFrequencies, inputs.positions);
  const result = tf.tidy(() => {
    const cos = tf.tensor4d(tables.cos, [batch, 1, length, config.headDim]);
    const sin = tf.tensor4d(tables.sin, [batch, 1, length, config.headDim]);
    const mask = tf.tensor4d(inputs.additive, [batch, 1, length, inputs.total]);
    let hidden = tf.reshape(tf.gather(context.parameter(names.embed), tf.cast(inputIds, 'int32')), [
      batch * length,
      config.hiddenSize,
    ]) as tf.Tensor2D;
    for (const [index, layer] of names.layers.entries()) {
      const normed = rmsNorm(hidden, context.parameter(layer.inputNorm), config.rmsNormEps) as tf.Tensor2D;
      const attended = attention(context, index, layer, normed, { batch, length, total: inputs.total }, { cos, sin }, mask, cache);
      hidden = tf.add(hidden, attended);
      const post = rmsNorm(hidden, context.parameter(layer.postNorm), config.rmsNormEps) as tf.Tensor2D;
      hidden = tf.add(hidden, mlp(context, layer, post));
    }
    const final = rmsNorm(hidden, context.parameter(names.norm), config.rmsNormEps);
    return tf.reshape(final, [batch, length, config.hiddenSize]) as tf.Tensor3D;
  });
  if (cache) cache.mask = inputs.rows;
  return result;
}
