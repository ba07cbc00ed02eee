import type { DatasetV1 } from '../spec/shared/v1/dataset-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { DatasetFormat } from './dataset-format';
import { countRows, readDataset } from './read-dataset';

/** A DatasetV1 backed by a JSONL file: streamed on every `rows()` call, counted once. */
export class FileDataset implements DatasetV1 {
  private counted: Promise<number> | undefined;

  constructor(
    readonly name: string,
    readonly path: string,
    readonly format: DatasetFormat,
    readonly logitsPath?: string,
    /** A user's source file must have rows; a stage's output may be empty. */
    readonly requireRows = false,
  ) {}

  rows(skip = 0): AsyncIterable<RowV1> {
    return readDataset(this.path, { name: this.name, format: this.format, skip, requireRows: this.requireRows });
  }

  count(): Promise<number> {
    this.counted ??= countRows(this.path);
    return this.counted;
  }
}
