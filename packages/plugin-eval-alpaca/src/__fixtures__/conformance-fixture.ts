import { readFileSync } from 'node:fs';
import { parseAlpacaEvalData, type AlpacaEvalData } from '../data/alpaca-eval-data';

/** One model of the derived conformance fixture `lc_conformance.json` (test helper). */
export interface ConformanceModel {
  model: string;
  n_rows: number;
  preference: Array<number | null>;
  len_output_1: number[];
  len_output_2: number[];
  official_C: number;
  official_C_for_leaderboard_lc: number;
  official_leaderboard: Record<string, number | string | null>;
  official_glm_weights: Record<string, number>;
}

const fixtures = new URL('./', import.meta.url);

/** Reads the 57-model conformance fixture (test helper; never used at run time). */
export function loadConformanceModels(): ConformanceModel[] {
  return (JSON.parse(readFileSync(new URL('lc_conformance.json', fixtures), 'utf8')) as { models: ConformanceModel[] }).models;
}

/** Parses the fixture copies of the dataset files (test helper). */
export function loadFixtureData(): AlpacaEvalData {
  return parseAlpacaEvalData({
    evalSet: readFileSync(new URL('alpaca_eval_gpt4_baseline.json', fixtures), 'utf8'),
    instructionDifficulty: readFileSync(new URL('instruction_difficulty.csv', fixtures), 'utf8'),
    gamed: readFileSync(new URL('df_gamed.csv', fixtures), 'utf8'),
  });
}
