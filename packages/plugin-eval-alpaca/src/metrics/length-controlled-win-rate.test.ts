import { describe, expect, it } from 'vitest';
import { difficultyFromGamedRows } from '../data/alpaca-eval-data';
import { loadConformanceModels, loadFixtureData, type ConformanceModel } from '../__fixtures__/conformance-fixture';
import { computeLengthControlledWinRate, predictWinRate, type LengthControlledWeights } from './length-controlled-win-rate';

const BASELINE = 'gpt4_1106_preview';
const data = loadFixtureData();
const difficulty = difficultyFromGamedRows(data.gamedRows);
const models = loadConformanceModels();

function fit(model: ConformanceModel, c: number | 'cv') {
  return computeLengthControlledWinRate(
    {
      preferences: model.preference,
      baselineLengths: model.len_output_1,
      modelLengths: model.len_output_2,
      instructionDifficulty: difficulty,
      gamedRows: data.gamedRows,
    },
    { c, isBaseline: model.model === BASELINE },
  );
}

describe('computeLengthControlledWinRate', () => {
  it('takes the instruction difficulty from df_gamed, equal to instruction_difficulty.csv', () => {
    expect(difficulty).toHaveLength(805);
    difficulty.forEach((value, index) => expect(Math.abs(value - data.instructionDifficulty[index])).toBeLessThan(1e-14));
  });

  it('reproduces the official LC win rate of all 56 models within 0.1 point at the official C', () => {
    let largest = 0;
    for (const model of models) {
      // NullModel's leaderboard LC and stored weights come from different runs (see SOURCE.md).
      const c = model.model === 'NullModel' ? model.official_C_for_leaderboard_lc : model.official_C;
      const result = fit(model, c);
      const difference = Math.abs(result.length_controlled_winrate - (model.official_leaderboard.length_controlled_winrate as number));
      largest = Math.max(largest, difference);
      expect(difference, model.model).toBeLessThan(0.1);
      if (model.model !== BASELINE && model.model !== 'NullModel') {
        for (const [name, value] of Object.entries(model.official_glm_weights)) {
          expect(Math.abs(result.weights[name as keyof LengthControlledWeights] - value), `${model.model} ${name}`).toBeLessThan(0.01);
        }
      }
    }
    // liblinear stops at tol 1e-4; the exact optimum differs from its weights by ≤ 3e-3 (≤ 0.016 point LC).
    expect(largest).toBeLessThan(0.02);
  });

  it('reproduces the official LC win rate within 0.2 point with cross-validated C', () => {
    let largest = 0;
    let sameC = 0;
    for (const model of models) {
      const result = fit(model, 'cv');
      largest = Math.max(largest, Math.abs(result.length_controlled_winrate - (model.official_leaderboard.length_controlled_winrate as number)));
      if (Math.abs(result.c - model.official_C) < 1e-9) sameC += 1;
    }
    expect(largest).toBeLessThan(0.2);
    expect(sameC).toBeGreaterThan(30);
  });

  it('gives 50 for the baseline itself', () => {
    const baseline = models.find((model) => model.model === BASELINE)!;
    expect(fit(baseline, 'cv').length_controlled_winrate).toBe(50);
  });

  it('reproduces the worked Qwen-14B-Chat example', () => {
    const qwen = models.find((model) => model.model === 'Qwen-14B-Chat')!;
    const result = fit(qwen, 21.544346900318832);
    expect(result.length_controlled_winrate).toBeCloseTo(12.378742, 1);
    expect(result.weights['np.tanh(std_delta_len)']).toBeCloseTo(-1.936261, 3);
    expect(result.weights.instruction_difficulty).toBeCloseTo(1.151639, 3);
    expect(result.weights['not_gamed_baseline.astype(float)']).toBeCloseTo(-2.824647, 3);
  });

  it('predicts win rates between two models from stored weights antisymmetrically', () => {
    const [a, b] = models.filter((model) => model.model !== BASELINE).slice(0, 2);
    const weightsA = a.official_glm_weights as unknown as LengthControlledWeights;
    const weightsB = b.official_glm_weights as unknown as LengthControlledWeights;
    expect(predictWinRate(weightsA, weightsA, difficulty)).toBeCloseTo(50, 12);
    expect(predictWinRate(weightsA, weightsB, difficulty) + predictWinRate(weightsB, weightsA, difficulty)).toBeCloseTo(100, 10);
    const zero = { 'np.tanh(std_delta_len)': 0, instruction_difficulty: 0, 'not_gamed_baseline.astype(float)': 0 };
    // Against the baseline (all-zero weights) it is the LC win rate of the stored weights.
    expect(predictWinRate(weightsA, zero, difficulty)).toBeCloseTo(a.official_leaderboard.length_controlled_winrate as number, 6);
  });

  it('rejects mismatched inputs', () => {
    expect(() =>
      computeLengthControlledWinRate({ preferences: [1, 2], baselineLengths: [1], modelLengths: [1, 2], instructionDifficulty: difficulty, gamedRows: [] }),
    ).toThrow(/2 preferences but 1 baseline/);
  });
});
