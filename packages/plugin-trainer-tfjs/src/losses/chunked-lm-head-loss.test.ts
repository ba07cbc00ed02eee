import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkedLmHeadLoss, type ChunkedHeadOptions, type HeadTargets } from './chunked-lm-head-loss';
import { crossEntropy, topKLoss } from './distillation-losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rows = 11;
const size = 8;
const vocab = 37;
const k = 5;

function setup(seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const hidden = tf.randomNormal([rows, size], 0, 1, 'float32', seed) as tf.Tensor2D;
  const weight = tf.randomNormal([vocab, size], 0, 0.7, 'float32', seed + 1) as tf.Tensor2D;
  const labels = Int32Array.from({ length: rows }, () => Math.floor(random() * vocab));
  const crossEntropyWeights = Float32Array.from({ length: rows }, (_, index) => (index % 4 === 3 ? 0 : 0.1 + random()));
  // Teacher top-k: distinct ids, a log-softmax over random logits restricted to 5 of the 37.
  const topIds = new Int32Array(rows * k);
  const topLogprobs = new Float32Array(rows * k);
  for (let row = 0; row < rows; row += 1) {
    const ids = new Set<number>();
    while (ids.size < k) ids.add(Math.floor(random() * vocab));
    const sorted = [...ids];
    const logits = sorted.map(() => random() * 4);
    const normaliser = Math.log(logits.reduce((sum, value) => sum + Math.exp(value), 0) + 3);
    sorted.forEach((id, j) => {
      topIds[row * k + j] = id;
      topLogprobs[row * k + j] = logits[j]! - normaliser;
    });
  }
  topIds[2 * k + 4] = -1; // a padded slot
  topLogprobs[2 * k + 4] = -Infinity;
  const kdWeights = Float32Array.from({ length: rows }, (_, index) => (index === 5 ? 0 : 0.2 + random()));
  const targets: HeadTargets = { labels, crossEntropyWeights, teacher: { k, topIds, topLogprobs, weights: kdWeights } };
  return { hidden, weight, targets };
}

/** The same loss with full logits and automatic differentiation. */
function unchunked(hidden: tf.Tensor2D, weight: tf.Tensor2D, targets: HeadTargets, options: ChunkedHeadOptions, segments: Int32Array, segmentCount: number): tf.Tensor1D {
  const logits = tf.matMul(hidden, weight, false, true) as tf.Tensor2D;
  const ce = tf.mul(crossEntropy(logits, tf.tensor1d(targets.labels!, 'int32')), tf.tensor1d(targets.crossEntropyWeights!));
  // The reference cannot mask padded slots; the tests give the row that has one no KD weight.
  const ids = Int32Array.from(targets.teacher!.topIds, (id) => Math.max(0, id));
  const logprobs = Float32Array.from(targets.teacher!.topLogprobs, (value) => (Number.isFinite(value) ? value : -1e4));
  const kd = topKLoss(logits, tf.tensor2d(ids, [rows, k], 'int32'), tf.tensor2d(logprobs, [rows, k]), {
    kind: options.divergence ?? 'forward-kl',
    beta: options.beta,
    temperature: options.temperature,
    temperatureSquared: options.temperatureSquared,
    mode: options.mode,
  });
  const weights = Float32Array.from(targets.teacher!.weights);
  const perRow = tf.add(ce, tf.mul(kd, tf.tensor1d(weights)));
  return tf.unsortedSegmentSum(perRow, tf.tensor1d(segments, 'int32'), segmentCount) as tf.Tensor1D;
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}

describe('chunkedLmHeadLoss', () => {
  const variants: ChunkedHeadOptions[] = [
    { divergence: 'forward-kl', mode: 'renormalize' },
    { divergence: 'forward-kl', mode: 'raw', temperature: 2, temperatureSquared: true },
    { divergence: 'forward-kl', mode: 'tail' },
    { divergence: 'reverse-kl', mode: 'tail', temperature: 1.5 },
    { divergence: 'jsd', beta: 0.3, mode: 'renormalize', temperature: 2 },
  ];
  for (const variant of variants) {
    it(`equals the unchunked loss in value and gradient (${JSON.stringify(variant)})`, () => {
      const { hidden, weight, targets } = setup(7);
      // Row 2 has a padded slot: the unchunked reference cannot mask it, so leave row 2 without KD.
      targets.teacher!.weights[2] = 0;
      const segments = Int32Array.from({ length: rows }, (_, index) => index % 3);
      const withSegments = { ...targets, segments, segmentCount: 3 };
      const upstream = tf.tensor1d([0.5, -1.25, 2]);
      const chunkedLoss = (h: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(chunkedLmHeadLoss(h as tf.Tensor2D, w as tf.Tensor2D, withSegments, { ...variant, chunkSize: 4 }), upstream));
      const referenceLoss = (h: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(unchunked(h as tf.Tensor2D, w as tf.Tensor2D, targets, variant, segments, 3), upstream));
      const values = chunkedLmHeadLoss(hidden, weight, withSegments, { ...variant, chunkSize: 4 });
      const expected = unchunked(hidden, weight, targets, variant, segments, 3);
      expect(maxDifference(values, expected)).toBeLessThan(1e-5);
      const [gradientHidden, gradientWeight] = tf.grads(chunkedLoss)([hidden, weight]);
      const [expectedHidden, expectedWeight] = tf.grads(referenceLoss)([hidden, weight]);
      expect(maxDifference(gradientHidden!, expectedHidden!)).toBeLessThan(1e-5);
      expect(maxDifference(gradientWeight!, expectedWeight!)).toBeLessThan(1e-5);
    });
  }

  it('ignores padded top-k slots (id −1) and reports each term', () => {
    const { hidden, weight, targets } = setup(11);
    const report = { crossEntropy: 0, kd: 0 };
    const total = chunkedLmHeadLoss(hidden, weight, targets, { chunkSize: 3, report }).dataSync()[0]!;
    expect(Number.isFinite(total)).toBe(true);
    expect(Math.abs(report.crossEntropy + report.kd - total)).toBeLessThan(1e-4);
    const gradient = tf.grad((h: tf.Tensor) => tf.sum(chunkedLmHeadLoss(h as tf.Tensor2D, weight, targets, { chunkSize: 3 })))(hidden);
    expect(tf.all(tf.isFinite(gradient)).dataSync()[0]).toBe(1);
  });

  it('holds no tensors after the gradient', () => {
    const { hidden, weight, targets } = setup(3);
    const before = tf.memory().numTensors;
    const gradient = tf.grads((h: tf.Tensor, w: tf.Tensor) => tf.sum(chunkedLmHeadLoss(h as tf.Tensor2D, w as tf.Tensor2D, targets, { chunkSize: 4 })))([hidden, weight]);
    gradient.forEach((tensor) => tensor.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
