import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DistillError } from '../errors/distill-error';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import { normaliseRow, RowFormatError, type DatasetFormat } from './dataset-format';

export interface ReadDatasetOptions {
  /** Dataset name, used for fallback ids `<name>:<line>`. */
  name: string;
  format: DatasetFormat;
  /** Skip this many rows first (resume). */
  skip?: number;
}

/**
 * Streams a JSONL file as RowV1, one line at a time (blank lines are skipped, line numbers still
 * count). A line that is not JSON or fits no format throws INVALID_DATASET naming file and line.
 */
export async function* readDataset(path: string, options: ReadDatasetOptions): AsyncGenerator<RowV1> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  let seen = 0;
  const skip = options.skip ?? 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      seen += 1;
      if (seen <= skip) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new DistillError({
          code: 'INVALID_DATASET',
          message: `${path}:${lineNumber}: not valid JSON (${(error as Error).message}). Each line of a dataset must be one JSON object.`,
          cause: error,
        });
      }
      try {
        yield normaliseRow(record, options.format, `${options.name}:${lineNumber}`);
      } catch (error) {
        if (!(error instanceof RowFormatError)) throw error;
        throw new DistillError({
          code: 'INVALID_DATASET',
          message: `${path}:${lineNumber}: ${error.message} (format "${options.format}"; set datasets.${options.name}.format to alpaca, sharegpt or messages).`,
        });
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DistillError({ code: 'INVALID_DATASET', message: `Dataset "${options.name}": file not found: ${path}`, cause: error });
    }
    throw error;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Counts non-blank lines of a JSONL file without parsing them. */
export async function countRows(path: string): Promise<number> {
  let count = 0;
  let sawContent = false;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    for (let index = 0; index < buffer.length; index += 1) {
      const byte = buffer[index];
      if (byte === 10) {
        if (sawContent) count += 1;
        sawContent = false;
      } else if (byte !== 13 && byte !== 32 && byte !== 9) sawContent = true;
    }
  }
  return sawContent ? count + 1 : count;
}
