import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, distributionLoss, mixLosses, topKLoss } from './distillation-losses';
import { dpoSigmoidLoss } from './dpo-loss';
import type { DivergenceKind } from './divergence';

interface Reference {
  student_logits: number[][];
  teacher_logits: number[][];
  teacher_topk_ids: number[][];
  teacher_topk_logprobs: number[][];
  dpo: Record<string, number[] | number>;
  [key: string]: unknown;
}

const reference = JSON.parse(readFileSync(new URL('../__fixtures__/loss_reference.json', import.meta.url), 'utf8')) as Reference;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index += 1) {
    expect(Math.abs(actual[index]! - expected[index]!), `index ${index}: ${actual[index]} vs ${expected[index]}`).toBeLessThanOrEqual(tolerance);
  }
}

const student = () => tf.tensor2d(reference.student_logits);
const teacher = () => tf.tensor2d(reference.teacher_logits);
const topIds = () => tf.tensor2d(reference.teacher_topk_ids, undefined, 'int32');
const topLogprobs = () => tf.tensor2d(reference.teacher_topk_logprobs);

/** Central finite differences of Σ f(x) against tf.grad, on a few coordinates of every row. */
function checkGradient(loss: (x: tf.Tensor2D) => tf.Tensor, at: tf.Tensor2D): void {
  const analytic = tf.grad((x: tf.Tensor) => tf.sum(loss(x as tf.Tensor2D)))(at).arraySync() as number[][];
  const values = at.arraySync();
  const epsilon = 1e-2;
  for (let row = 0; row < values.length; row += 1) {
    for (const column of [0, 7, 18, 35, 49]) {
      const shifted = (delta: number) => {
        const copy = values.map((line) => line.slice());
        copy[row]![column]! += delta;
        return tf.tidy(() => tf.sum(loss(tf.tensor2d(copy))).dataSync()[0]!);
      };
      const numeric = (shifted(epsilon) - shifted(-epsilon)) / (2 * epsilon);
      expect(Math.abs(numeric - analytic[row]![column]!), `row ${row} column ${column}`).toBeLessThan(2e-3);
    }
  }
}

describe('KD losses against the PyTorch reference', () => {
  const cases: Array<[string, DivergenceKind, number, number?]> = [
    ['forward_kl_T1', 'forward-kl', 1],
    ['forward_kl_T2', 'forward-kl', 2],
    ['reverse_kl_T1', 'reverse-kl', 1],
    ['reverse_kl_T2', 'reverse-kl', 2],
    ['generalized_jsd_beta0.1', 'jsd', 1, 0.1],
    ['generalized_jsd_beta0.5', 'jsd', 1, 0.5],
    ['generalized_jsd_beta0.9', 'jsd', 1, 0.9],
  ];
  for (const [key, kind, temperature, beta] of cases) {
    it(`${key} equals the reference within 1e-5 and its gradient agrees with finite differences`, () => {
      const options = { kind, temperature, beta };
      const values = distributionLoss(student(), teacher(), options).dataSync();
      expectClose(values, reference[key] as number[], 1e-5);
      const fixedTeacher = teacher();
      checkGradient((x) => distributionLoss(x, fixedTeacher, options), student());
    });
  }

  it('T² scaling is an option, off by default', () => {
    const plain = distributionLoss(student(), teacher(), { kind: 'forward-kl', temperature: 2 }).dataSync();
    const squared = distributionLoss(student(), teacher(), { kind: 'forward-kl', temperature: 2, temperatureSquared: true }).dataSync();
    expectClose(squared, Array.from(plain, (value) => value * 4), 1e-5);
  });

  it('top-k forward KL, teacher renormalised over the k, equals the reference', () => {
    const options = { kind: 'forward-kl' as const, mode: 'renormalize' as const };
    expectClose(topKLoss(student(), topIds(), topLogprobs(), options).dataSync(), reference.topk_forward_kl_renormalized_teacher as number[], 1e-5);
    checkGradient((x) => topKLoss(x, topIds(), topLogprobs(), options), student());
  });

  it('top-k forward KL, teacher raw, equals the reference', () => {
    const options = { kind: 'forward-kl' as const, mode: 'raw' as const };
    expectClose(topKLoss(student(), topIds(), topLogprobs(), options).dataSync(), reference.topk_forward_kl_raw_teacher as number[], 1e-5);
    checkGradient((x) => topKLoss(x, topIds(), topLogprobs(), options), student());
  });

  it('top-k with a tail bucket adds the remaining-mass term to the raw loss', () => {
    const options = { kind: 'forward-kl' as const, mode: 'tail' as const };
    const values = topKLoss(student(), topIds(), topLogprobs(), options).dataSync();
    const expected = reference.student_logits.map((logits, row) => {
      const max = Math.max(...logits);
      const normaliser = max + Math.log(logits.reduce((sum, value) => sum + Math.exp(value - max), 0));
      const ids = reference.teacher_topk_ids[row]!;
      const teacherTail = 1 - reference.teacher_topk_logprobs[row]!.reduce((sum, value) => sum + Math.exp(value), 0);
      const studentTail = 1 - ids.reduce((sum, id) => sum + Math.exp(logits[id]! - normaliser), 0);
      return (reference.topk_forward_kl_raw_teacher as number[])[row]! + teacherTail * (Math.log(teacherTail) - Math.log(studentTail));
    });
    expectClose(values, expected, 1e-5);
    for (const kind of ['forward-kl', 'reverse-kl', 'jsd'] as const) {
      checkGradient((x) => topKLoss(x, topIds(), topLogprobs(), { kind, mode: 'tail', temperature: 1.5 }), student());
    }
  });

  it('top-k reverse KL and JSD have finite-difference gradients', () => {
    for (const kind of ['reverse-kl', 'jsd'] as const) {
      checkGradient((x) => topKLoss(x, topIds(), topLogprobs(), { kind, mode: 'renormalize', temperature: 2, beta: 0.3 }), student());
    }
  });

  it('the mix is (1 − α)·CE + α·KD', () => {
    const labels = tf.tensor1d([3, 1, 4, 1, 5, 9], 'int32');
    const ce = crossEntropy(student(), labels);
    const kd = distributionLoss(student(), teacher(), { kind: 'forward-kl' });
    const mixed = mixLosses(ce, kd, 0.25).dataSync();
    const ceValues = ce.dataSync();
    const kdValues = kd.dataSync();
    expectClose(mixed, Array.from(ceValues, (value, index) => 0.75 * value + 0.25 * kdValues[index]!), 1e-6);
    const logits = reference.student_logits[0]!;
    const max = Math.max(...logits);
    const expectedFirst = max + Math.log(logits.reduce((sum, value) => sum + Math.exp(value - max), 0)) - logits[3]!;
    expect(Math.abs(ceValues[0]! - expectedFirst)).toBeLessThan(1e-5);
  });
});

describe('DPO sigmoid loss', () => {
  it('equals the reference within 1e-5', () => {
    const dpo = reference.dpo;
    const loss = dpoSigmoidLoss(
      { chosen: tf.tensor1d(dpo.policy_chosen_logps as number[]), rejected: tf.tensor1d(dpo.policy_rejected_logps as number[]) },
      { chosen: tf.tensor1d(dpo.reference_chosen_logps as number[]), rejected: tf.tensor1d(dpo.reference_rejected_logps as number[]) },
      dpo.beta as number,
    );
    expectClose(loss.dataSync(), dpo.sigmoid_loss as number[], 1e-5);
  });
});
