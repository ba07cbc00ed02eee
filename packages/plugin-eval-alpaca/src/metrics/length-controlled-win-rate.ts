import { AlpacaEvalError } from '../errors';
import { fitL1LogisticRegression, logistic, type SoftLabelRows } from './l1-logistic-regression';
import { selectRegularisation, OFFICIAL_C_GRID } from './select-regularisation';
import { normalisePreference, sampleStandardDeviation } from './win-rate';

/** One row of alpaca_eval's `df_gamed.csv`: a length-gamed baseline (verbose/concise) against the baseline. */
export interface GamedRow {
  /** Already in [0, 1]. */
  preference: number;
  index: number;
  std_delta_len: number;
  instruction_difficulty: number;
}

/** Per-row inputs of the length-controlled GLM, in eval-set row order. */
export interface LengthControlledInput {
  /** Official preference in [1, 2] (2 = model wins); 0 means 1.5; null/NaN rows are left out of the fit. */
  preferences: ReadonlyArray<number | null | undefined>;
  /** Code-point length of the baseline's output (output_1) per row. */
  baselineLengths: readonly number[];
  /** Code-point length of the model's output (output_2) per row. */
  modelLengths: readonly number[];
  /** Instruction difficulty by eval-set index (`instruction_difficulty.csv`). */
  instructionDifficulty: readonly number[];
  /** The gamed-baseline rows of `df_gamed.csv`. */
  gamedRows: readonly GamedRow[];
}

/** Options of {@link computeLengthControlledWinRate}. */
export interface LengthControlledOptions {
  /**
   * The regularisation constant C, or `"cv"` (default) for the official choice: 5-fold grouped
   * cross-validation over `10^linspace(−4, 4, 10)`.
   */
  c?: number | 'cv';
  /** Weight λ of the gamed rows is λ/2. Default 0.2 (`length_controlled_v1`). */
  regulariseToBaselineLambda?: number;
  /** True when the model is the baseline itself: LC is 50 and all weights 0. */
  isBaseline?: boolean;
}

/** GLM weights in alpaca_eval's column names. */
export interface LengthControlledWeights {
  'np.tanh(std_delta_len)': number;
  instruction_difficulty: number;
  'not_gamed_baseline.astype(float)': number;
}

/** The length-controlled result of one model against the baseline. */
export interface LengthControlledResult {
  /** 100 · mean of the predicted preferences at zero length difference, over all rows. */
  length_controlled_winrate: number;
  /** 100 · std(predictions, ddof=1) / √n. */
  lc_standard_error: number;
  weights: LengthControlledWeights;
  /** The C used (chosen by cross-validation unless given). */
  c: number;
  /** Per-row predicted preference in [0, 1] at zero length difference. */
  predictions: number[];
}

/**
 * The length-controlled win rate of alpaca_eval's `length_controlled_v1` GLM: L1 logistic
 * regression of the preference on (tanh(std length difference), instruction difficulty,
 * not-gamed-baseline indicator) with the 1,610 gamed-baseline rows at weight λ/2, then the mean
 * prediction with the length term set to zero. The instruction index is the row position.
 */
export function computeLengthControlledWinRate(
  input: LengthControlledInput,
  options: LengthControlledOptions = {},
): LengthControlledResult {
  const rowCount = input.preferences.length;
  if (input.baselineLengths.length !== rowCount || input.modelLengths.length !== rowCount) {
    throw new AlpacaEvalError(
      'ALPACA_BAD_INPUT',
      `Length-controlled input has ${rowCount} preferences but ${input.baselineLengths.length} baseline and ${input.modelLengths.length} model lengths; give one of each per row.`,
    );
  }
  if (rowCount > input.instructionDifficulty.length) {
    throw new AlpacaEvalError(
      'ALPACA_BAD_INPUT',
      `There are ${rowCount} annotation rows but only ${input.instructionDifficulty.length} instruction difficulties; the annotations must follow the 805-row eval set.`,
    );
  }
  const difficulty = input.instructionDifficulty.slice(0, rowCount);
  if (options.isBaseline) {
    return {
      length_controlled_winrate: 50,
      lc_standard_error: 0,
      weights: { 'np.tanh(std_delta_len)': 0, instruction_difficulty: 0, 'not_gamed_baseline.astype(float)': 0 },
      c: Number.NaN,
      predictions: new Array<number>(rowCount).fill(0.5),
    };
  }
  const deltas = input.baselineLengths.map((length, i) => length - input.modelLengths[i]);
  const deltaStd = sampleStandardDeviation(deltas);
  const lambda = options.regulariseToBaselineLambda ?? 0.2;

  // Training rows in the official order: the gamed rows first, then the model's rows; NaN dropped.
  const rows: { x: number[][]; y: number[]; weight: number[] } = { x: [], y: [], weight: [] };
  for (const gamed of input.gamedRows) {
    if (Number.isNaN(gamed.preference)) continue;
    rows.x.push([Math.tanh(gamed.std_delta_len), gamed.instruction_difficulty, 0]);
    rows.y.push(gamed.preference);
    rows.weight.push(lambda / 2);
  }
  for (let i = 0; i < rowCount; i += 1) {
    const preference = normalisePreference(input.preferences[i]);
    if (Number.isNaN(preference)) continue;
    rows.x.push([Math.tanh(deltas[i] / deltaStd), difficulty[i], 1]);
    rows.y.push(preference - 1);
    rows.weight.push(1);
  }
  const training: SoftLabelRows = rows;

  const c = options.c === undefined || options.c === 'cv' ? selectRegularisation(training, OFFICIAL_C_GRID).c : options.c;
  const [lengthWeight, difficultyWeight, notGamedWeight] = fitL1LogisticRegression(training, c).coefficients;
  const predictions = difficulty.map((value) => logistic(notGamedWeight + difficultyWeight * value));
  const mean = predictions.reduce((sum, value) => sum + value, 0) / rowCount;
  return {
    length_controlled_winrate: mean * 100,
    lc_standard_error: (sampleStandardDeviation(predictions) / Math.sqrt(rowCount)) * 100,
    weights: {
      'np.tanh(std_delta_len)': lengthWeight,
      instruction_difficulty: difficultyWeight,
      'not_gamed_baseline.astype(float)': notGamedWeight,
    },
    c,
    predictions,
  };
}

/**
 * alpaca_eval's `predict_winrate`: the LC win rate of `model` against another `baseline` from stored
 * GLM weights (both fitted against the same reference), `mean σ(Δθ₃ + Δθ₂·difficulty)` · 100.
 */
export function predictWinRate(
  model: LengthControlledWeights,
  baseline: LengthControlledWeights,
  instructionDifficulty: readonly number[],
): number {
  const notGamed = model['not_gamed_baseline.astype(float)'] - baseline['not_gamed_baseline.astype(float)'];
  const slope = model.instruction_difficulty - baseline.instruction_difficulty;
  const total = instructionDifficulty.reduce((sum, value) => sum + logistic(notGamed + slope * value), 0);
  return (total / instructionDifficulty.length) * 100;
}
