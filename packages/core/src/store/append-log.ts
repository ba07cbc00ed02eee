import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only file with a committed length. Writes go to the end; `commit()` fsyncs and
 * returns the new committed length, which the caller stores in its state file. On resume,
 * `AppendLog.open(path, committed)` cuts the file back to that length, so anything written after
 * the last commit (a torn line included) disappears.
 */
export class AppendLog {
  private fd: number;
  private length: number;
  private dirty = false;

  private constructor(
    readonly path: string,
    fd: number,
    length: number,
  ) {
    this.fd = fd;
    this.length = length;
  }

  /** Opens `path` truncated to `committed` bytes (0 = start empty). */
  static open(path: string, committed = 0): AppendLog {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      const size = statSync(path).size;
      if (size < committed) {
        throw new Error(`${path} is ${size} bytes but its committed length is ${committed}: the file was changed outside the run`);
      }
      truncateSync(path, committed);
    } else if (committed > 0) {
      throw new Error(`${path} is missing but its committed length is ${committed}: the file was removed outside the run`);
    }
    const fd = openSync(path, 'a');
    return new AppendLog(path, fd, committed);
  }

  /** Bytes written so far (committed or not). */
  get size(): number {
    return this.length;
  }

  append(text: string): void {
    if (text.length === 0) return;
    const buffer = Buffer.from(text);
    let written = 0;
    while (written < buffer.length) written += writeSync(this.fd, buffer, written, buffer.length - written);
    this.length += buffer.length;
    this.dirty = true;
  }

  /** Makes everything appended so far durable; returns the committed length. */
  commit(): number {
    if (this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
    return this.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
