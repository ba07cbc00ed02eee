import { AlpacaEvalError } from '../errors';
import type { GamedRow } from '../metrics/length-controlled-win-rate';
import { parseCsv } from './parse-csv';

/** One instruction of the AlpacaEval 2.0 eval set with the reference (baseline) output. */
export interface AlpacaEvalItem {
  dataset: string;
  instruction: string;
  /** The baseline's output (gpt4_1106_preview). */
  output: string;
  generator: string;
}

/** What a run needs from the `tatsu-lab/alpaca_eval` dataset repository. */
export interface AlpacaEvalData {
  /** The 805 instructions with the baseline outputs, in eval-set order. */
  evalSet: AlpacaEvalItem[];
  /** `instruction_difficulty.csv`, by eval-set index. */
  instructionDifficulty: number[];
  /** `df_gamed.csv`: the verbose/concise gamed baselines against the baseline. */
  gamedRows: GamedRow[];
}

/** The dataset files, relative to the dataset repository root. */
export const ALPACA_EVAL_FILES = {
  evalSet: 'alpaca_eval_gpt4_baseline.json',
  instructionDifficulty: 'instruction_difficulty.csv',
  gamed: 'df_gamed.csv',
} as const;

function toNumber(value: string, source: string, line: number, column: string): number {
  const parsed = value === '' ? Number.NaN : Number(value);
  if (Number.isNaN(parsed) && value !== '' && value.toLowerCase() !== 'nan') {
    throw new AlpacaEvalError('ALPACA_BAD_DATA', `${source} line ${line + 2}: column ${column} is "${value}", not a number.`);
  }
  return parsed;
}

/** Parses the three dataset files; `sources` name them in error messages. */
export function parseAlpacaEvalData(files: { evalSet: string; instructionDifficulty: string; gamed: string }): AlpacaEvalData {
  let evalSet: unknown;
  try {
    evalSet = JSON.parse(files.evalSet);
  } catch (error) {
    throw new AlpacaEvalError('ALPACA_BAD_DATA', `${ALPACA_EVAL_FILES.evalSet} is not valid JSON; download it again.`, { cause: error });
  }
  if (!Array.isArray(evalSet) || evalSet.some((item) => typeof item?.instruction !== 'string' || typeof item?.output !== 'string')) {
    throw new AlpacaEvalError(
      'ALPACA_BAD_DATA',
      `${ALPACA_EVAL_FILES.evalSet} must be a list of {instruction, output} objects; is this the AlpacaEval 2.0 eval set?`,
    );
  }
  const difficultyRows = parseCsv(files.instructionDifficulty, ALPACA_EVAL_FILES.instructionDifficulty);
  const instructionDifficulty: number[] = [];
  difficultyRows.forEach((row, line) => {
    const index = toNumber(row.index, ALPACA_EVAL_FILES.instructionDifficulty, line, 'index');
    instructionDifficulty[index] = toNumber(row.instruction_difficulty, ALPACA_EVAL_FILES.instructionDifficulty, line, 'instruction_difficulty');
  });
  const gamedRows = parseCsv(files.gamed, ALPACA_EVAL_FILES.gamed).map((row, line) => ({
    preference: toNumber(row.preference, ALPACA_EVAL_FILES.gamed, line, 'preference'),
    index: toNumber(row.index, ALPACA_EVAL_FILES.gamed, line, 'index'),
    std_delta_len: toNumber(row.std_delta_len, ALPACA_EVAL_FILES.gamed, line, 'std_delta_len'),
    instruction_difficulty: toNumber(row.instruction_difficulty, ALPACA_EVAL_FILES.gamed, line, 'instruction_difficulty'),
  }));
  return {
    evalSet: evalSet.map((item) => ({
      dataset: String(item.dataset ?? ''),
      instruction: item.instruction,
      output: item.output,
      generator: String(item.generator ?? ''),
    })),
    instructionDifficulty,
    gamedRows,
  };
}

/**
 * The instruction difficulty the official GLM fit uses: the first `df_gamed.csv` row of each index
 * (`df_gamed.drop_duplicates("index")`), which equals `instruction_difficulty.csv` to 1e−15.
 */
export function difficultyFromGamedRows(gamedRows: readonly GamedRow[]): number[] {
  const difficulty: number[] = [];
  for (const row of gamedRows) if (difficulty[row.index] === undefined) difficulty[row.index] = row.instruction_difficulty;
  return difficulty;
}
