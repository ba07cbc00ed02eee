import type { RowV1 } from './row-v1';

/** A named dataset a stage reads: JSONL streamed row by row, with its logits store if it has one. */
export interface DatasetV1 {
  readonly name: string;
  /** Path of the JSONL file (canonical row shape). */
  readonly path: string;
  /** Path of the compact top-k logits store written beside it, when the producing stage wrote one. */
  readonly logitsPath?: string;
  /** Streams the rows in file order; never holds the whole file. */
  rows(): AsyncIterable<RowV1>;
  /** Number of rows (counts lines once and caches). */
  count(): Promise<number>;
}
