import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let counter = 0;

export interface AtomicWriteOptions {
  /**
   * fsync the file and its folder (default true), so the new content also survives a power cut.
   * Without it the write is still atomic for readers and for a killed process (rename is atomic);
   * only a power cut may lose it, which suits caches whose readers treat a bad entry as missing.
   */
  durable?: boolean;
}

/**
 * Writes `content` to `path` so that readers (and a process killed at any moment) see either the
 * old file or the whole new one: write a unique temporary file beside it, fsync, rename over.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const durable = options.durable ?? true;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${++counter}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    const buffer = typeof content === 'string' ? Buffer.from(content) : content;
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  if (durable) syncDirectory(dirname(path));
}

/**
 * The non-durable atomic write without blocking the event loop: the temporary file (same naming as
 * `writeFileAtomic`, so a re-run's repair removes one a killed process left) is written and renamed
 * over `path` on libuv's thread pool. Creating a file costs milliseconds on some file systems; done
 * synchronously for every teacher answer it would stall every request in flight. `knownFolders`
 * (optional) remembers folders already created, saving a mkdir per write.
 */
export async function writeFileAtomicAsync(path: string, content: string | Uint8Array, knownFolders?: Set<string>): Promise<void> {
  const folder = dirname(path);
  if (!knownFolders?.has(folder)) {
    await mkdir(folder, { recursive: true });
    knownFolders?.add(folder);
  }
  const temporary = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    try {
      await writeFile(temporary, content);
    } catch (error) {
      // The folder was removed since it was remembered: create it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !knownFolders) throw error;
      knownFolders.delete(folder);
      await mkdir(folder, { recursive: true });
      knownFolders.add(folder);
      await writeFile(temporary, content);
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** fsync a folder so a rename inside it survives a power cut (best effort: not every platform allows it). */
export function syncDirectory(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  }
}

/** Writes a JSON document atomically (pretty-printed, trailing newline). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
