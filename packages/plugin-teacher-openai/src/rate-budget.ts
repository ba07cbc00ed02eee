import { sleep } from './sleep';

/**
 * A token bucket refilled continuously at `perMinute / 60` units per second, holding at most
 * `perMinute` units. Used twice by the teacher: requests per minute (1 unit per request) and tokens
 * per minute (estimated prompt + max completion tokens, corrected with the real usage afterwards).
 */
export class RateBudget {
  private available: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {
    if (!(perMinute > 0)) throw new RangeError(`a per-minute budget must be positive, got ${perMinute}`);
    this.available = perMinute;
    this.updatedAt = now();
  }

  /** Waits until `units` are available and takes them (requests are served in arrival order). */
  take(units: number, signal?: AbortSignal): Promise<void> {
    const wanted = Math.min(units, this.perMinute);
    const turn = this.queue.then(async () => {
      for (;;) {
        this.refill();
        if (this.available >= wanted) {
          this.available -= wanted;
          return;
        }
        const missing = wanted - this.available;
        await sleep(Math.ceil((missing / this.perMinute) * 60_000), signal);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Returns (positive) or charges (negative) units after the real cost is known. */
  adjust(units: number): void {
    this.refill();
    this.available = Math.min(this.perMinute, this.available + units);
  }

  private refill(): void {
    const now = this.now();
    this.available = Math.min(this.perMinute, this.available + ((now - this.updatedAt) / 60_000) * this.perMinute);
    this.updatedAt = now;
  }
}
