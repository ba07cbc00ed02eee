import { extractTag, firstInteger, parseBoolean } from './parse-tags';

/** Metrics whose value is a verdict (true/false) rather than a 0–9 score. */
export const BOOLEAN_METRICS = new Set(['correctness', 'logical_correctness']);

/**
 * Reads one metric from a judge reply: `<metric>N</metric>` (0–9), or for boolean metrics
 * true/false/correct/incorrect/1/0; falls back to `metric: N` written without tags.
 */
export function readMetric(text: string, metric: string): number | boolean | undefined {
  const tagged = extractTag(text, metric);
  const loose = tagged ?? new RegExp(`${metric}\\W{0,3}\\s*(\\w+)`, 'i').exec(text)?.[1];
  if (loose === undefined) return undefined;
  if (BOOLEAN_METRICS.has(metric)) return parseBoolean(loose);
  const value = firstInteger(loose);
  return value !== undefined && value >= 0 && value <= 9 ? value : undefined;
}

/** Mean of scores with booleans counted as 9 (true) or 0 (false), so they weigh like a 0–9 metric. */
export function meanScore(scores: Record<string, number | boolean>): number {
  const values = Object.values(scores).map((value) => (typeof value === 'boolean' ? (value ? 9 : 0) : value));
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}
