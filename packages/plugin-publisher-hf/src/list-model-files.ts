import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DistillError } from '@easydistill/core';

/** Files a published model never includes: editor and OS litter, partial writes, a stale card. */
const SKIPPED = [/^\.DS_Store$/, /\.partial(-\d+)?$/, /^README\.md$/i];

/**
 * Lists the files of a model folder, recursively, as POSIX paths relative to it, sorted. The
 * folder's own `README.md` is skipped because the publisher writes the generated model card there.
 * Throws `DistillError` (`INVALID_MODEL`) when the folder is missing or has no `config.json`.
 */
export async function listModelFiles(modelDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(modelDir, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `Cannot read the model folder ${modelDir}: ${(error as Error).message}`, cause: error });
  }
  const files = entries
    .filter((entry) => entry.isFile() && !SKIPPED.some((pattern) => pattern.test(entry.name)))
    .map((entry) => relative(modelDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  if (!files.includes('config.json')) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${modelDir} has no config.json; a publisher needs a Hugging Face model folder (the output of a trainer stage).` });
  }
  return files;
}
