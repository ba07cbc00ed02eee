import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Cuts a line-oriented log (metrics.jsonl) back to its last complete line: a process killed while
 * appending may leave half a line, which the next append would glue to a whole one.
 */
export function cutTornTail(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) return;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    while (end > 0) {
      const length = Math.min(chunk.length, end);
      readSync(fd, chunk, 0, length, end - length);
      const newline = chunk.subarray(0, length).lastIndexOf(10);
      if (newline >= 0) {
        const keep = end - length + newline + 1;
        if (keep !== size) truncateSync(path, keep);
        return;
      }
      end -= length;
    }
    truncateSync(path, 0);
  } finally {
    closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files of atomic writes (`<name>.<pid>.<n>.tmp`) that a killed process left in
 * `folder`, when that process is gone. Files of a live process are left alone.
 */
export function removeStaleTemporaryFiles(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /\.(\d+)\.\d+\.tmp$/.exec(name);
    if (match && (Number(match[1]) === process.pid ? false : !isAlive(Number(match[1])))) rmSync(join(folder, name), { force: true });
  }
}
