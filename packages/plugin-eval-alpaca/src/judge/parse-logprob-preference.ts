/** One alternative at the judge's first generated position. */
export interface TopLogprob {
  token: string;
  logprob: number;
}

/**
 * alpaca_eval's `logprob_parser` (numerator `m`, denominators `m` and `M`, not binarized) on the
 * first generated token's top log-probabilities: keeps the entries whose token is exactly `m` or
 * `M` (a missing one has log-probability −∞), `P(m) = exp(lp_m − logsumexp(lp_m, lp_M))`, and returns
 * `2 − P(m)` in [1, 2], where 2 means the output shown as `M` (output_2 of the prompt) is preferred.
 * Returns NaN when neither token is among the alternatives.
 */
export function parseLogprobPreference(topLogprobs: readonly TopLogprob[]): number {
  let lowercase = -Infinity;
  let uppercase = -Infinity;
  // A Python dict built from the list keeps the last entry of a repeated token.
  for (const entry of topLogprobs) {
    if (entry.token === 'm') lowercase = entry.logprob;
    else if (entry.token === 'M') uppercase = entry.logprob;
  }
  if (lowercase === -Infinity && uppercase === -Infinity) return Number.NaN;
  const top = Math.max(lowercase, uppercase);
  const logSum = top + Math.log(Math.exp(lowercase - top) + Math.exp(uppercase - top));
  return 2 - Math.exp(lowercase - logSum);
}

/**
 * The final preference of one annotation in the official convention (output_1 = baseline,
 * output_2 = model; 1 = baseline wins, 2 = model wins): identical outputs give 1.5 without a judge;
 * otherwise the parsed judge preference, mapped back with `3 − p` when the order was switched.
 */
export function finalPreference(
  parsedPreference: number,
  isSwitched: boolean,
): number {
  if (Number.isNaN(parsedPreference)) return Number.NaN;
  return isSwitched ? 3 - parsedPreference : parsedPreference;
}
