import { OpenAIHttpError } from './openai-http-error';

interface Entry {
  fingerprint: string;
  promise: Promise<unknown>;
  expiresAt: number;
}

/**
 * Answers requests that carry an `Idempotency-Key` header at most once: a request whose key is
 * being worked on, or was answered within `ttlMs`, waits for and gets that same result instead of
 * running the model again (a client that timed out and retried, or a proxy that replayed a request).
 * A key reused for a different request body is refused (409). Failed work is forgotten, so a retry
 * after an error runs again. At most `maxEntries` keys are remembered (oldest dropped first).
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(key: string | undefined, fingerprint: string, compute: () => Promise<T>): Promise<{ value: T; replayed: boolean }> {
    if (key === undefined) return { value: await compute(), replayed: false };
    this.evict();
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new OpenAIHttpError(409, `Idempotency-Key "${key.slice(0, 100)}" was already used for a different request; send a new key for a new request`, 'invalid_request_error', null, 'idempotency_key_reused');
      }
      return { value: (await existing.promise) as T, replayed: true };
    }
    const promise = compute();
    const entry: Entry = { fingerprint, promise, expiresAt: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    try {
      return { value: await promise, replayed: false };
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/** The header's value when it is a usable key (1 to 255 visible characters), else undefined. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed.length > 255) throw new OpenAIHttpError(400, 'Idempotency-Key must be at most 255 characters', 'invalid_request_error', null, 'invalid_idempotency_key');
  return trimmed;
}
