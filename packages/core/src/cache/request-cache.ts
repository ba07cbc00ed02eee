import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from '../store/atomic-write';
import { removeStaleTemporaryFiles } from '../store/repair';
import { hashJson } from '../util/canonical-json';

// JSON has no -Infinity (a log-probability of an impossible token) or NaN: keep them as tagged strings.
function replace(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$number' in value && Object.keys(value).length === 1) return Number((value as { $number: string }).$number);
  return value;
}

/**
 * A content-addressed store of teacher answers: one JSON file per key under
 * `<folder>/<first two hex>/<key>.json`, written atomically (so a killed run never leaves a torn
 * entry), and identical requests in flight at once share one call. Runs that point at the same
 * folder share answers.
 */
export class RequestCache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly knownFolders = new Set<string>();

  constructor(readonly folder: string) {}

  /**
   * Removes temporary files that a killed process left while writing an entry (in the folder and
   * its two-hex subfolders). Files of live processes, which may share the cache, are left alone.
   */
  removeStaleTemporaryFiles(): void {
    removeStaleTemporaryFiles(this.folder);
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return;
    }
    for (const name of names) if (/^[0-9a-f]{2}$/.test(name)) removeStaleTemporaryFiles(join(this.folder, name));
  }

  /** The key of a request: sha256 of the canonical JSON of `parts` (component id, model, messages, parameters). */
  static key(parts: unknown): string {
    return hashJson(parts);
  }

  private pathOf(key: string): string {
    return join(this.folder, key.slice(0, 2), `${key}.json`);
  }

  /** A stored answer, or undefined (a corrupt entry counts as missing). */
  read<Value>(key: string): Value | undefined {
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined;
    try {
      return (JSON.parse(readFileSync(path, 'utf8'), revive) as { value: Value }).value;
    } catch {
      return undefined;
    }
  }

  write(key: string, value: unknown): void {
    // Atomic (a killed run never leaves a torn entry) but not fsync'd: an entry lost to a power
    // cut reads as missing and is asked again, and fsync per answer would slow every teacher call.
    writeFileAtomic(this.pathOf(key), JSON.stringify({ value }, replace), { durable: false });
  }

  /** `read` without blocking the event loop. */
  private async readAsync<Value>(key: string): Promise<Value | undefined> {
    let text: string;
    try {
      text = await readFile(this.pathOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return (JSON.parse(text, revive) as { value: Value }).value;
    } catch {
      return undefined;
    }
  }

  /**
   * Returns the stored answer for `key`, or runs `compute` once (sharing it with concurrent
   * callers of the same key) and stores its result. `hit` says whether the answer was stored or shared.
   * The look-up and the write go through libuv's thread pool (never blocking the event loop, so
   * the other requests in flight keep flowing); a concurrent caller of the same key joins the
   * pending look-up-or-compute, so a key is never computed twice at once.
   */
  async getOrCompute<Value>(key: string, compute: () => Promise<Value>): Promise<{ value: Value; hit: boolean }> {
    const pending = this.inFlight.get(key) as Promise<Value> | undefined;
    if (pending) return { value: await pending, hit: true };
    let computed = false;
    const promise = (async () => {
      const stored = await this.readAsync<Value>(key);
      if (stored !== undefined) return stored;
      computed = true;
      const value = await compute();
      // Atomic (a killed run never leaves a torn entry) but not fsync'd, as in `write`.
      await writeFileAtomicAsync(this.pathOf(key), JSON.stringify({ value }, replace), this.knownFolders);
      return value;
    })();
    this.inFlight.set(key, promise);
    try {
      const value = await promise;
      return { value, hit: !computed };
    } finally {
      this.inFlight.delete(key);
    }
  }
}
