/** FastChat `one_score_pattern`: `\[\[(\d+\.?\d*)\]\]` (Python `\d` is any Unicode decimal digit). */
const ONE_SCORE_PATTERN = /\[\[(\p{Nd}+\.?\p{Nd}*)\]\]/u;
/** FastChat `one_score_pattern_backup`: `\[(\d+\.?\d*)\]`. */
const ONE_SCORE_PATTERN_BACKUP = /\[(\p{Nd}+\.?\p{Nd}*)\]/u;

/**
 * Python `ast.literal_eval` of a matched number: ASCII digits only, and an integer with a leading
 * zero (`07`) is a syntax error. Returns undefined where Python would raise.
 */
function literalEvalNumber(text: string): number | undefined {
  if (!/^[0-9]+\.?[0-9]*$/.test(text)) return undefined;
  if (!text.includes('.') && /^0+[1-9]/.test(text)) return undefined;
  return Number(text);
}

/**
 * The rating of a single-answer judgment, as FastChat's `run_judge_single` parses it: the first
 * `[[n]]`, else the first `[n]`, converted with `ast.literal_eval`; −1 when neither matches
 * (including the API-failure output `$ERROR$`). Ratings are not clamped. Where FastChat would raise
 * (non-ASCII digits, `[[07]]`), this returns −1 too.
 */
export function parseRating(judgment: string): number {
  const match = ONE_SCORE_PATTERN.exec(judgment) ?? ONE_SCORE_PATTERN_BACKUP.exec(judgment);
  if (!match) return -1;
  return literalEvalNumber(match[1]) ?? -1;
}
