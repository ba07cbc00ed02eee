import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDataset } from '../dataset/file-dataset';
import type { DatasetV1 } from '../spec/shared/v1/dataset-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';

/**
 * A DatasetV1 over `rows`, as core hands stages their input: the rows are written to a JSONL file
 * (in `directory`, default a fresh temporary folder) and streamed back from it.
 */
export function createTestDataset(rows: readonly RowV1[], options: { name?: string; directory?: string } = {}): DatasetV1 {
  const name = options.name ?? 'test';
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'easydistill-dataset-'));
  const path = join(directory, `${name}.jsonl`);
  writeFileSync(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  return new FileDataset(name, path, 'rows');
}
