import { describe, expect, it } from 'vitest';
import { loadConformanceModels } from '../__fixtures__/conformance-fixture';
import { codePointLength, computeWinRate } from './win-rate';

describe('computeWinRate', () => {
  const models = loadConformanceModels();

  it('reproduces the official leaderboard metrics of all 57 models', () => {
    expect(models).toHaveLength(57);
    for (const model of models) {
      const official = model.official_leaderboard;
      const metrics = computeWinRate(model.preference);
      expect(metrics.win_rate, model.model).toBeCloseTo(official.win_rate as number, 9);
      expect(metrics.standard_error, model.model).toBeCloseTo(official.standard_error as number, 9);
      expect(metrics.discrete_win_rate, model.model).toBeCloseTo(official.discrete_win_rate as number, 9);
      expect([metrics.n_wins, metrics.n_wins_base, metrics.n_draws, metrics.n_total], model.model).toEqual([
        official.n_wins,
        official.n_wins_base,
        official.n_draws,
        official.n_total,
      ]);
    }
  });

  it('reproduces avg_length (code points) where the annotations hold all 805 rows', () => {
    let checked = 0;
    for (const model of models.filter((entry) => entry.n_rows === 805)) {
      const mean = model.len_output_2.reduce((sum, length) => sum + length, 0) / model.len_output_2.length;
      expect(Math.trunc(mean), model.model).toBe(model.official_leaderboard.avg_length);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('maps a legacy 0 to a draw and drops null and NaN', () => {
    const metrics = computeWinRate([0, 2, 1, null, Number.NaN, 1.5]);
    expect(metrics.n_total).toBe(4);
    expect(metrics.n_draws).toBe(2);
    expect(metrics.win_rate).toBeCloseTo(50, 12);
    expect(metrics.discrete_win_rate).toBeCloseTo(50, 12);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('a🙂é')).toBe(3);
    expect('a🙂é'.length).toBe(4);
  });
});
