import { describe, expect, it } from 'vitest';
import { fitL1LogisticRegression, l1LogisticObjective, logistic, type SoftLabelRows } from './l1-logistic-regression';

function syntheticRows(count: number): SoftLabelRows {
  const x: number[][] = [];
  const y: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const a = Math.sin(i * 1.7);
    const b = Math.cos(i * 0.37);
    x.push([a, b, 1]);
    y.push(logistic(1.5 * a - 0.8 * b - 0.3 + 0.4 * Math.sin(i * 13.1)));
    weight.push(i % 3 === 0 ? 0.1 : 1);
  }
  return { x, y, weight };
}

describe('fitL1LogisticRegression', () => {
  it('satisfies the L1 optimality conditions at the solution', () => {
    const rows = syntheticRows(400);
    for (const c of [0.05, 1, 100]) {
      const { coefficients } = fitL1LogisticRegression(rows, c);
      const gradient = [0, 0, 0];
      rows.x.forEach((xi, i) => {
        const p = logistic(xi.reduce((sum, value, k) => sum + value * coefficients[k], 0));
        xi.forEach((value, k) => (gradient[k] += c * rows.weight[i] * (p - rows.y[i]) * value));
      });
      coefficients.forEach((value, k) => {
        if (value === 0) expect(Math.abs(gradient[k])).toBeLessThanOrEqual(1 + 1e-9);
        else expect(Math.abs(gradient[k] + Math.sign(value))).toBeLessThan(1e-8 * Math.max(1, c));
      });
    }
  });

  it('returns all zeros when C is too small for any feature to pay its L1 cost', () => {
    const rows = syntheticRows(100);
    expect(fitL1LogisticRegression(rows, 1e-4).coefficients).toEqual([0, 0, 0]);
  });

  it('never does worse than nearby points', () => {
    const rows = syntheticRows(300);
    const { coefficients, objective } = fitL1LogisticRegression(rows, 3);
    for (let k = 0; k < 3; k += 1) {
      for (const delta of [-1e-4, 1e-4]) {
        const moved = [...coefficients];
        moved[k] += delta;
        expect(l1LogisticObjective(rows, 3, moved)).toBeGreaterThan(objective);
      }
    }
  });
});
