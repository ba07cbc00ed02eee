/** Teacher usage of one stage (or a whole run): calls made, answers served from the cache, tokens. */
export interface TeacherUsage {
  calls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  failures: number;
  /** US dollars, summed from the calls whose usage carries `costUsd` (a teacher with a price table); absent when none did. */
  costUsd?: number;
}

/** Creates a zeroed usage record. */
export function emptyUsage(): TeacherUsage {
  return { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, failures: 0 };
}

/** Adds `from` into `into`. */
export function addUsage(into: TeacherUsage, from: TeacherUsage): TeacherUsage {
  into.calls += from.calls;
  into.cacheHits += from.cacheHits;
  into.promptTokens += from.promptTokens;
  into.completionTokens += from.completionTokens;
  into.failures += from.failures;
  if (from.costUsd !== undefined) into.costUsd = (into.costUsd ?? 0) + from.costUsd;
  return into;
}
