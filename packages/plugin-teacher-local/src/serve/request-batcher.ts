/**
 * Collects requests from concurrent clients into batches: while one batch runs, new requests wait
 * and form the next one (up to `maxBatchSize`). One batch runs at a time, since a model runs one
 * forward pass at a time.
 */
export class RequestBatcher<Request, Result> {
  private readonly pending: Array<{ request: Request; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  private running = false;
  /** Sizes of the batches run so far, the latest 10,000 (for tests and logs). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly handler: (requests: Request[]) => Promise<Array<Result | Error>>,
    private readonly maxBatchSize: number,
    /** How long a batch waits for more requests before it starts (model work blocks the event loop, so requests are read in between batches). */
    private readonly windowMs: number = 5,
  ) {}

  submit(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.running) queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        // Let requests whose bodies are still being read join this batch.
        await new Promise((resolve) => (this.windowMs > 0 ? setTimeout(resolve, this.windowMs) : setImmediate(resolve)));
        const batch = this.pending.splice(0, this.maxBatchSize);
        if (this.batchSizes.length >= 10_000) this.batchSizes.shift(); // bounded on a long-lived server
        this.batchSizes.push(batch.length);
        try {
          const results = await this.handler(batch.map((entry) => entry.request));
          batch.forEach((entry, index) => {
            const result = results[index];
            if (result instanceof Error) entry.reject(result);
            else if (result === undefined) entry.reject(new Error('the model returned fewer results than requests'));
            else entry.resolve(result);
          });
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
