import type { UsageV1 } from '@easydistill/core';

/** Totals of one teacher object: calls, attempts, tokens and cost. */
export interface UsageTotals {
  calls: number;
  failedCalls: number;
  attempts: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  /** US dollars, when a price table was given; otherwise undefined. */
  costUsd?: number;
}

/** Counts usage and cost across the calls of one teacher. */
export class UsageMeter {
  private readonly totals: UsageTotals = { calls: 0, failedCalls: 0, attempts: 0, retries: 0, promptTokens: 0, completionTokens: 0 };

  constructor(private readonly prices?: { inputPerMillion: number; outputPerMillion: number }) {
    if (prices) this.totals.costUsd = 0;
  }

  recordAttempt(isRetry: boolean): void {
    this.totals.attempts += 1;
    if (isRetry) this.totals.retries += 1;
  }

  recordSuccess(usage: UsageV1): void {
    this.totals.calls += 1;
    this.totals.promptTokens += usage.promptTokens;
    this.totals.completionTokens += usage.completionTokens;
    if (this.prices && this.totals.costUsd !== undefined) {
      this.totals.costUsd += this.costOf(usage);
    }
  }

  recordFailure(): void {
    this.totals.failedCalls += 1;
  }

  /** Cost in US dollars of one call's usage (0 without a price table). */
  costOf(usage: UsageV1): number {
    if (!this.prices) return 0;
    return (usage.promptTokens * this.prices.inputPerMillion + usage.completionTokens * this.prices.outputPerMillion) / 1_000_000;
  }

  snapshot(): UsageTotals {
    return { ...this.totals };
  }
}
