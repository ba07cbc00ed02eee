/** The raw (not length-controlled) AlpacaEval metrics, as alpaca_eval's `get_winrate` reports them. */
export interface WinRateMetrics {
  /** 100 · mean(preference − 1) over valid preferences. */
  win_rate: number;
  /** 100 · std(preference − 1, ddof=1) / √n. */
  standard_error: number;
  n_wins: number;
  n_wins_base: number;
  n_draws: number;
  n_total: number;
  /** 100 · (wins + draws / 2) / total after rounding each preference to 1, 1.5 or 2. */
  discrete_win_rate: number;
}

/** Official preference clean-up: a legacy 0 means a draw (1.5); null, undefined and NaN are dropped. */
export function normalisePreference(preference: number | null | undefined): number {
  if (preference === null || preference === undefined || Number.isNaN(preference)) return Number.NaN;
  return preference === 0 ? 1.5 : preference;
}

/** Python's round-half-to-even of a float to an integer, as pandas `.round()` does. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Sample standard deviation (ddof = 1); NaN for fewer than two values. */
export function sampleStandardDeviation(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Win rate, standard error and counts from preferences in [1, 2] (2 = the model wins), exactly as
 * alpaca_eval's `get_winrate`: 0 → 1.5, invalid entries dropped.
 */
export function computeWinRate(preferences: ReadonlyArray<number | null | undefined>): WinRateMetrics {
  const valid = preferences.map(normalisePreference).filter((value) => !Number.isNaN(value));
  const values = valid.map((preference) => preference - 1);
  const total = values.length;
  const mean = total === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / total;
  let wins = 0;
  let losses = 0;
  let draws = 0;
  let discreteWins = 0;
  let discreteDraws = 0;
  for (const preference of valid) {
    if (preference - 1 > 0.5) wins += 1;
    if (preference - 1 < 0.5) losses += 1;
    if (preference === 1.5) {
      draws += 1;
      discreteDraws += 1;
    } else if (roundHalfEven(preference) === 2) {
      discreteWins += 1;
    }
  }
  return {
    win_rate: mean * 100,
    standard_error: (sampleStandardDeviation(values) / Math.sqrt(total)) * 100,
    n_wins: wins,
    n_wins_base: losses,
    n_draws: draws,
    n_total: total,
    discrete_win_rate: total === 0 ? Number.NaN : ((discreteWins + discreteDraws / 2) / total) * 100,
  };
}

/** Python `len` of a string: its number of Unicode code points (not UTF-16 units). */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _character of text) length += 1;
  return length;
}
