import { difficultyFromGamedRows } from '../data/alpaca-eval-data';
import { AlpacaEvalError } from '../errors';
import { computeLengthControlledWinRate, type GamedRow, type LengthControlledWeights } from './length-controlled-win-rate';
import { codePointLength, computeWinRate, type WinRateMetrics } from './win-rate';

/** The fields of an official annotation the scorer reads. */
export interface ScorableAnnotation {
  output_1: string;
  output_2: string;
  generator_1?: string;
  generator_2?: string;
  preference: number | null | undefined;
}

/** A leaderboard row: the official metrics plus the GLM details. */
export interface AlpacaEvalSummary extends WinRateMetrics {
  /** int(mean code-point length of the model's outputs). */
  avg_length: number;
  length_controlled_winrate: number;
  lc_standard_error: number;
  glm_weights: LengthControlledWeights;
  /** The regularisation constant used for the GLM. */
  glm_c: number;
}

/**
 * Scores annotations (in eval-set row order; the row position is the instruction index, as in the
 * official code) into the leaderboard metrics: win rate, standard error, counts, discrete win rate,
 * average length and the length-controlled win rate (instruction difficulty taken from the gamed rows,
 * as the official fit does).
 */
export function scoreAnnotations(
  annotations: readonly ScorableAnnotation[],
  data: { gamedRows: readonly GamedRow[] },
  options: { c?: number | 'cv' } = {},
): AlpacaEvalSummary {
  if (annotations.length === 0) {
    throw new AlpacaEvalError('ALPACA_BAD_ANNOTATIONS', 'There are no annotations to score.');
  }
  const generators = new Set(annotations.map((row) => row.generator_2));
  if (generators.size > 1) {
    throw new AlpacaEvalError(
      'ALPACA_BAD_ANNOTATIONS',
      `The annotations mix ${generators.size} models in generator_2 (${[...generators].slice(0, 3).join(', ')}…); score one model per file.`,
    );
  }
  const preferences = annotations.map((row) => row.preference);
  const raw = computeWinRate(preferences);
  const modelLengths = annotations.map((row) => codePointLength(row.output_2 ?? ''));
  const baselineLengths = annotations.map((row) => codePointLength(row.output_1 ?? ''));
  const isBaseline = annotations[0].generator_1 !== undefined && annotations[0].generator_1 === annotations[0].generator_2;
  const lc = computeLengthControlledWinRate(
    { preferences, baselineLengths, modelLengths, instructionDifficulty: difficultyFromGamedRows(data.gamedRows), gamedRows: data.gamedRows },
    { c: options.c ?? 'cv', isBaseline },
  );
  return {
    ...raw,
    avg_length: Math.trunc(modelLengths.reduce((sum, length) => sum + length, 0) / modelLengths.length),
    length_controlled_winrate: lc.length_controlled_winrate,
    lc_standard_error: lc.lc_standard_error,
    glm_weights: lc.weights,
    glm_c: lc.c,
  };
}

/**
 * Validates parsed JSON as official annotations (`annotations.json`: a list of objects with
 * `output_1`, `output_2` and `preference`); `source` names the file in errors.
 */
export function toAnnotations(value: unknown, source: string): ScorableAnnotation[] {
  if (!Array.isArray(value)) {
    throw new AlpacaEvalError('ALPACA_BAD_ANNOTATIONS', `${source} must hold a JSON list of annotations (alpaca_eval annotations.json).`);
  }
  value.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || typeof row.output_1 !== 'string' || typeof row.output_2 !== 'string') {
      throw new AlpacaEvalError('ALPACA_BAD_ANNOTATIONS', `${source}[${index}] needs string fields output_1 and output_2.`);
    }
    if (row.preference !== null && row.preference !== undefined && typeof row.preference !== 'number') {
      throw new AlpacaEvalError('ALPACA_BAD_ANNOTATIONS', `${source}[${index}].preference is ${JSON.stringify(row.preference)}; expected a number in [1, 2] or null.`);
    }
  });
  return value as ScorableAnnotation[];
}
