/** Keyword arguments of one IFEval instruction, as in `input_data.jsonl` (`kwargs[i]`). */
export type InstructionKwargs = Readonly<Record<string, unknown>>;

/** A built instruction: the official `check_following(value)` of one instruction id. */
export interface InstructionChecker {
  /** Full instruction id, e.g. `length_constraints:number_words`. */
  readonly id: string;
  /** True when `value` follows the instruction. The caller handles the empty-response rule. */
  check(value: string): boolean;
}

/** Comparison relations of IFEval: `less than` is actual < N, `at least` is actual ≥ N. */
export type Relation = 'less than' | 'at least';

/** Settings shared by all checkers. */
export interface CheckerOptions {
  /** Seed for langdetect's sampler (the official code is unseeded). Default 0. */
  readonly languageDetectionSeed?: number;
}

/** Compares `actual` with `threshold` by an IFEval relation. */
export function compareByRelation(actual: number, relation: Relation, threshold: number): boolean {
  return relation === 'less than' ? actual < threshold : actual >= threshold;
}
