import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from '../training/seeded-random';

/** A tokenized sequence and which of its tokens are targets. */
export interface SequenceExample {
  rowId: string;
  ids: Int32Array;
  /** Indices j ≥ 1 of `ids` whose token is predicted (from position j − 1) and trained on. */
  targets: Int32Array;
}

/** A padded micro-batch ready for the model. */
export interface PaddedBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  length: number;
  /** For each target: flat row of the hidden states `[batch × length]` that predicts it. */
  rows: Int32Array;
  labels: Int32Array;
  /** For each target: its sequence in the batch and its index in that sequence's ids. */
  sequence: Int32Array;
  position: Int32Array;
  tokens: number;
}

/**
 * Right-pads `sequences` to the longest with `padId`, with the 1/0 attention mask, and lists
 * every target (the hidden row predicting it and its label). The caller disposes the tensors.
 */
export function padBatch(sequences: SequenceExample[], padId: number): PaddedBatch {
  const length = Math.max(...sequences.map((sequence) => sequence.ids.length));
  const ids = new Int32Array(sequences.length * length).fill(padId);
  const mask = new Int32Array(sequences.length * length);
  const targetCount = sequences.reduce((sum, sequence) => sum + sequence.targets.length, 0);
  const rows = new Int32Array(targetCount);
  const labels = new Int32Array(targetCount);
  const sequence = new Int32Array(targetCount);
  const position = new Int32Array(targetCount);
  let at = 0;
  let tokens = 0;
  sequences.forEach((example, index) => {
    ids.set(example.ids, index * length);
    mask.fill(1, index * length, index * length + example.ids.length);
    tokens += example.ids.length;
    for (const target of example.targets) {
      rows[at] = index * length + target - 1;
      labels[at] = example.ids[target]!;
      sequence[at] = index;
      position[at] = target;
      at += 1;
    }
  });
  return {
    inputIds: tf.tensor2d(ids, [sequences.length, length], 'int32'),
    attentionMask: tf.tensor2d(mask, [sequences.length, length], 'int32'),
    length,
    rows,
    labels,
    sequence,
    position,
    tokens,
  };
}

/**
 * The micro-batches of one epoch, as indices into `lengths`: a seeded shuffle, then (with
 * bucketing) windows of 32 batches sorted by length so each batch pads little, then the batches
 * shuffled again. Depends only on (seed, epoch), so a resumed run replays the same order.
 */
export function epochBatches(lengths: number[], batchSize: number, seed: number, epoch: number, bucketByLength: boolean): number[][] {
  const random = new SeededRandom(deriveSeed(seed, `epoch-${epoch}`));
  const order = random.shuffle(lengths.map((_, index) => index));
  if (bucketByLength) {
    const window = batchSize * 32;
    for (let start = 0; start < order.length; start += window) {
      const sorted = order.slice(start, start + window).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
      order.splice(start, sorted.length, ...sorted);
    }
  }
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return bucketByLength ? random.shuffle(batches) : batches;
}

/**
 * Splits items into train and held-out sets by a seeded shuffle: `fraction` of them (at least one
 * when fraction > 0 and there are two or more) go to the held-out set, never by position.
 */
export function heldOutSplit<T>(items: T[], fraction: number, seed: number): { train: T[]; heldOut: T[] } {
  if (fraction <= 0 || items.length < 2) return { train: items, heldOut: [] };
  const order = new SeededRandom(deriveSeed(seed, 'held-out')).shuffle(items.map((_, index) => index));
  const count = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
  const heldOutIndices = new Set(order.slice(0, count));
  return {
    train: items.filter((_, index) => !heldOutIndices.has(index)),
    heldOut: items.filter((_, index) => heldOutIndices.has(index)),
  };
}
