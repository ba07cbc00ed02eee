/** Shapes of the learning-rate schedule after warm-up. */
export type ScheduleKind = 'cosine' | 'linear' | 'constant';

/** Options of `learningRateAt`. */
export interface ScheduleOptions {
  kind: ScheduleKind;
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor as a fraction of the peak (default 0). */
  minRatio?: number;
}

/**
 * Learning rate of optimizer step `step` (1-based, as transformers counts after the update):
 * linear warm-up from 0 over `warmupSteps`, then cosine or linear decay to `minRatio·peak` at
 * `totalSteps`, or constant.
 */
export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { peak, warmupSteps, totalSteps, kind } = options;
  const floor = (options.minRatio ?? 0) * peak;
  const index = step - 1;
  if (index < warmupSteps) return (peak * (index + 1)) / (warmupSteps + 1);
  if (kind === 'constant') return peak;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (index - warmupSteps) / span);
  const factor = kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return floor + (peak - floor) * factor;
}
