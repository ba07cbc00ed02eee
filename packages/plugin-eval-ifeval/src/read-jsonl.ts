import { readFile } from 'node:fs/promises';
import { DistillError } from '@easydistill/core';

/**
 * Reads a JSON Lines file: one JSON value per non-blank line. A parse error names the file and
 * the 1-based line.
 */
export async function readJsonl(path: string): Promise<Array<{ line: number; value: unknown }>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DistillError({ code: 'INVALID_DATASET', message: `Cannot read ${path}: ${(error as Error).message}`, cause: error });
  }
  const rows: Array<{ line: number; value: unknown }> = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    try {
      rows.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      throw new DistillError({
        code: 'INVALID_DATASET',
        message: `${path}:${index + 1}: not valid JSON (${(error as Error).message}). Each line must be one JSON object.`,
        cause: error,
      });
    }
  });
  return rows;
}
