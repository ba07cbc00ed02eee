import * as tf from '@tensorflow/tfjs';
import { divergence, divergenceGradient, type DivergenceKind } from './divergence';
import { PADDED_LOGPROB, gatherRows, studentBucketLogProbs, teacherBucketLogProbs, type TopKMode } from './teacher-buckets';

/** The teacher's top-k at each row (supervised position), flat row-major `[rows × k]`. */
export interface HeadTeacherTargets {
  k: number;
  topIds: Int32Array;
  topLogprobs: Float32Array;
  /** Weight of each row's KD term (0 where the row has no teacher data), `[rows]`. */
  weights: Float32Array;
}

/** What each row of `hidden` is trained toward. */
export interface HeadTargets {
  /** Next-token label per row (ignored where `crossEntropyWeights` is 0), `[rows]`. */
  labels?: Int32Array;
  /** Weight of each row's cross-entropy, `[rows]`. */
  crossEntropyWeights?: Float32Array;
  teacher?: HeadTeacherTargets;
  /** Segment of each row (`[rows]`, default all 0): the result holds one weighted sum per segment. */
  segments?: Int32Array;
  segmentCount?: number;
}

/** Options of `chunkedLmHeadLoss`. */
export interface ChunkedHeadOptions {
  /** Rows per LM-head chunk: peak logits memory is chunkSize × vocab floats (default 256). */
  chunkSize?: number;
  divergence?: DivergenceKind;
  beta?: number;
  temperature?: number;
  temperatureSquared?: boolean;
  mode?: TopKMode;
  /** Filled by the forward pass with the weighted sums of each term (for metrics). */
  report?: { crossEntropy: number; kd: number };
}

interface ChunkPart {
  start: number;
  size: number;
}

function chunksOf(rows: number, chunkSize: number): ChunkPart[] {
  const parts: ChunkPart[] = [];
  for (let start = 0; start < rows; start += chunkSize) parts.push({ start, size: Math.min(chunkSize, rows - start) });
  return parts;
}

/** Per-chunk tensors of the targets (created inside the caller's tidy). */
function chunkTargets(targets: HeadTargets, part: ChunkPart) {
  const end = part.start + part.size;
  const labels = targets.labels ? tf.tensor1d(targets.labels.subarray(part.start, end).map((value) => Math.max(0, value)), 'int32') : undefined;
  const crossEntropyWeights = targets.crossEntropyWeights ? tf.tensor1d(targets.crossEntropyWeights.subarray(part.start, end)) : undefined;
  let teacher: { ids: tf.Tensor2D; logprobs: tf.Tensor2D; mask: tf.Tensor2D; weights: tf.Tensor1D } | undefined;
  if (targets.teacher) {
    const { k } = targets.teacher;
    const ids = targets.teacher.topIds.subarray(part.start * k, end * k);
    const logprobs = Float32Array.from(targets.teacher.topLogprobs.subarray(part.start * k, end * k));
    const mask = new Float32Array(ids.length);
    const safeIds = new Int32Array(ids.length);
    for (let index = 0; index < ids.length; index += 1) {
      const valid = ids[index]! >= 0;
      mask[index] = valid ? 1 : 0;
      safeIds[index] = valid ? ids[index]! : 0;
      if (!valid) logprobs[index] = PADDED_LOGPROB;
    }
    teacher = {
      ids: tf.tensor2d(safeIds, [part.size, k], 'int32'),
      logprobs: tf.tensor2d(logprobs, [part.size, k]),
      mask: tf.tensor2d(mask, [part.size, k]),
      weights: tf.tensor1d(targets.teacher.weights.subarray(part.start, end)),
    };
  }
  return { labels, crossEntropyWeights, teacher };
}

/** Scatter-adds `values[r, j]` at column `ids[r, j]` of a zero `[rows, width]` matrix. */
function scatterRows(ids: tf.Tensor2D, values: tf.Tensor2D, width: number): tf.Tensor2D {
  const [rows, k] = ids.shape;
  const rowIndex = tf.tile(tf.range(0, rows, 1, 'int32').reshape([rows, 1]), [1, k]);
  const indices = tf.stack([tf.reshape(rowIndex, [rows * k]), tf.reshape(ids, [rows * k])], 1);
  return tf.scatterND(indices, tf.reshape(values, [rows * k]), [rows, width]) as tf.Tensor2D;
}

/**
 * One chunk: its per-row loss terms and, when `withGradient`, d(Σ weighted terms)/d(logits) in
 * closed form. Every tensor it returns is `[size]` or `[size, vocab]`.
 */
function chunkLoss(logits: tf.Tensor2D, targets: ReturnType<typeof chunkTargets>, options: ChunkedHeadOptions, withGradient: boolean) {
  const vocab = logits.shape[1];
  let crossEntropy: tf.Tensor1D | undefined;
  let kd: tf.Tensor1D | undefined;
  let gradientCrossEntropy: tf.Tensor2D | undefined;
  let gradientKd: tf.Tensor2D | undefined;
  if (targets.labels && targets.crossEntropyWeights) {
    const logProbs = tf.logSoftmax(logits) as tf.Tensor2D;
    crossEntropy = tf.neg(tf.reshape(gatherRows(logProbs, tf.reshape(targets.labels, [-1, 1])), [-1])) as tf.Tensor1D;
    if (withGradient) {
      const delta = tf.sub(tf.exp(logProbs), tf.oneHot(targets.labels, vocab));
      gradientCrossEntropy = tf.mul(delta, tf.reshape(targets.crossEntropyWeights, [-1, 1])) as tf.Tensor2D;
    }
  }
  if (targets.teacher) {
    const temperature = options.temperature ?? 1;
    const mode = options.mode ?? 'renormalize';
    const squared = options.temperatureSquared ? temperature * temperature : 1;
    const { ids, logprobs, mask } = targets.teacher;
    const studentFull = tf.logSoftmax(tf.div(logits, temperature)) as tf.Tensor2D;
    const bucketMask = mode === 'tail' ? (tf.concat([mask, tf.ones([mask.shape[0], 1])], 1) as tf.Tensor2D) : mask;
    const student = studentBucketLogProbs(studentFull, ids, mode, mask);
    const teacher = teacherBucketLogProbs(logprobs, mode, temperature);
    const divergenceOptions = { kind: options.divergence ?? 'forward-kl', beta: options.beta, mask: bucketMask };
    kd = tf.mul(divergence(student, teacher, divergenceOptions), squared) as tf.Tensor1D;
    if (withGradient) {
      const k = ids.shape[1];
      // g = dL/d(student bucket log-probs); the row weights are applied by the caller.
      const bucketGradient = tf.mul(divergenceGradient(student, teacher, divergenceOptions), squared);
      let gathered = tf.slice(bucketGradient, [0, 0], [-1, k]) as tf.Tensor2D;
      if (mode === 'tail') {
        // log(1 − S) with S = Σ_j p_j: its gradient moves to the gathered buckets as −g_tail·p_j/(1 − S).
        const tailGradient = tf.slice(bucketGradient, [0, k], [-1, 1]);
        const gatheredProbabilities = tf.mul(tf.exp(tf.slice(student, [0, 0], [-1, k])), mask);
        const tailMass = tf.exp(tf.slice(student, [0, k], [-1, 1]));
        gathered = tf.sub(gathered, tf.mul(tailGradient, tf.div(gatheredProbabilities, tailMass))) as tf.Tensor2D;
      }
      gathered = tf.mul(gathered, mask) as tf.Tensor2D;
      // d log q_i / d u_v = δ(v = i) − q_v, with u = logits / T.
      const spread = tf.sub(scatterRows(ids, gathered, vocab), tf.mul(tf.exp(studentFull), tf.sum(gathered, -1, true)));
      gradientKd = tf.div(spread, temperature) as tf.Tensor2D;
    }
  }
  return { crossEntropy, kd, gradientCrossEntropy, gradientKd };
}

/**
 * The LM head and its losses without ever holding `[rows, vocab]` logits for all rows: for each
 * chunk of rows, logits = hidden·Wᵀ, then Σ crossEntropyWeight·CE + kdWeight·KD (top-k KD as in
 * `topKLoss`) summed per segment. The gradient (a `tf.customGrad`) recomputes each chunk's logits
 * and uses the closed-form derivative, so backward memory is also one chunk of logits.
 * `hidden` is `[rows, hidden]`, `weight` the LM-head matrix `[vocab, hidden]`. Returns `[segments]`.
 */
export function chunkedLmHeadLoss(hidden: tf.Tensor2D, weight: tf.Tensor2D, targets: HeadTargets, options: ChunkedHeadOptions = {}): tf.Tensor1D {
  const rows = hidden.shape[0];
  const segmentCount = targets.segmentCount ?? 1;
  const segments = targets.segments ?? new Int32Array(rows);
  const parts = chunksOf(rows, options.chunkSize ?? 256);
  const run = tf.customGrad(((hiddenInput: tf.Tensor2D, weightInput: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([hiddenInput, weightInput]);
    let total = tf.zeros([segmentCount]) as tf.Tensor1D;
    const report = { crossEntropy: 0, kd: 0 };
    for (const part of parts) {
      const next = tf.tidy(() => {
        const slice = tf.slice(hiddenInput, [part.start, 0], [part.size, -1]) as tf.Tensor2D;
        const logits = tf.matMul(slice, weightInput, false, true) as tf.Tensor2D;
        const chunk = chunkTargets(targets, part);
        const terms = chunkLoss(logits, chunk, options, false);
        let perRow = tf.zeros([part.size]) as tf.Tensor1D;
        if (terms.crossEntropy && chunk.crossEntropyWeights) {
          const weighted = tf.mul(terms.crossEntropy, chunk.crossEntropyWeights) as tf.Tensor1D;
          report.crossEntropy += tf.sum(weighted).dataSync()[0]!;
          perRow = tf.add(perRow, weighted);
        }
        if (terms.kd && chunk.teacher) {
          const weighted = tf.mul(terms.kd, chunk.teacher.weights) as tf.Tensor1D;
          report.kd += tf.sum(weighted).dataSync()[0]!;
          perRow = tf.add(perRow, weighted);
        }
        const segmentIds = tf.tensor1d(segments.subarray(part.start, part.start + part.size), 'int32');
        return tf.add(total, tf.unsortedSegmentSum(perRow, segmentIds, segmentCount)) as tf.Tensor1D;
      });
      total.dispose();
      total = next;
    }
    if (options.report) Object.assign(options.report, report);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedHidden, savedWeight] = saved as [tf.Tensor2D, tf.Tensor2D];
      const hiddenGradients: tf.Tensor[] = [];
      let weightGradient = tf.zerosLike(savedWeight) as tf.Tensor2D;
      for (const part of parts) {
        const [hiddenChunk, weightChunk] = tf.tidy(() => {
          const slice = tf.slice(savedHidden, [part.start, 0], [part.size, -1]);
          const logits = tf.matMul(slice, savedWeight, false, true) as tf.Tensor2D;
          const chunk = chunkTargets(targets, part);
          const terms = chunkLoss(logits, chunk, options, true);
          const segmentIds = tf.tensor1d(segments.subarray(part.start, part.start + part.size), 'int32');
          const upstream = tf.reshape(tf.gather(dy, segmentIds), [-1, 1]);
          let gradient = tf.zeros(logits.shape) as tf.Tensor2D;
          if (terms.gradientCrossEntropy) gradient = tf.add(gradient, terms.gradientCrossEntropy);
          if (terms.gradientKd) gradient = tf.add(gradient, tf.mul(terms.gradientKd, tf.reshape(chunk.teacher!.weights, [-1, 1])));
          gradient = tf.mul(gradient, upstream);
          return [tf.matMul(gradient, savedWeight), tf.matMul(gradient, slice, true, false)] as [tf.Tensor2D, tf.Tensor2D];
        });
        hiddenGradients.push(hiddenChunk);
        const summed = tf.add(weightGradient, weightChunk) as tf.Tensor2D;
        weightGradient.dispose();
        weightChunk.dispose();
        weightGradient = summed;
      }
      const hiddenGradient = hiddenGradients.length > 0 ? tf.concat(hiddenGradients, 0) : tf.zerosLike(savedHidden);
      if (hiddenGradients.length > 0) for (const tensor of hiddenGradients) tensor.dispose();
      return [hiddenGradient, weightGradient];
    };
    return { value: total, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(hidden, weight) as tf.Tensor1D;
}
