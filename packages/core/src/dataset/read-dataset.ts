import { createReadStream } from 'node:fs';
import { DistillError } from '../errors/distill-error';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import { normaliseRow, RowFormatError, type DatasetFormat } from './dataset-format';

export interface ReadDatasetOptions {
  /** Dataset name, used for fallback ids `<name>:<line>`. */
  name: string;
  format: DatasetFormat;
  /** Skip this many rows first (resume). */
  skip?: number;
  /** A file with no rows is an error (a user's source dataset, not a stage's output). */
  requireRows?: boolean;
  /** The longest line accepted, in bytes (default 32 MiB): a longer one is an error, not an out-of-memory. */
  maxLineBytes?: number;
}

/** The longest dataset line read by default, in bytes. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

function invalid(message: string, cause?: unknown): DistillError {
  return new DistillError({ code: 'INVALID_DATASET', message, cause });
}

/**
 * Splits a file into lines as bytes, never holding more than one line (at most `maxLineBytes`)
 * and one read chunk; checks the encoding at the start (UTF-8, with or without a byte-order mark).
 */
async function* byteLines(path: string, maxLineBytes: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  let first = true;
  const tooLong = () => invalid(`${path}:${lineNumber + 1}: line longer than ${(maxLineBytes / 1024 / 1024).toFixed(0)} MB (${maxLineBytes} bytes). Each line of a dataset must be one JSON object; split or shorten this row.`);
  try {
    for await (const piece of stream) {
      let chunk = piece as Buffer;
      if (first) {
        first = false;
        if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
          throw invalid(`${path}:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); datasets must be UTF-8 JSONL. Convert it, e.g. \`iconv -f UTF-16 -t UTF-8\`.`);
        }
        if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      let from = 0;
      for (let newline = chunk.indexOf(10, from); newline !== -1; newline = chunk.indexOf(10, from)) {
        if (pendingBytes + newline - from > maxLineBytes) throw tooLong();
        const line = pending.length === 0 ? chunk.subarray(from, newline) : Buffer.concat([...pending, chunk.subarray(from, newline)]);
        pending = [];
        pendingBytes = 0;
        lineNumber += 1;
        yield line;
        from = newline + 1;
      }
      if (from < chunk.length) {
        pendingBytes += chunk.length - from;
        if (pendingBytes > maxLineBytes) throw tooLong();
        pending.push(Buffer.from(chunk.subarray(from)));
      }
    }
    if (pendingBytes > 0) yield Buffer.concat(pending);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`file not found: ${path}`, error);
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw invalid(`${path} is a folder, not a JSONL file`, error);
    throw error;
  } finally {
    stream.destroy();
  }
}

/**
 * Streams a JSONL file as RowV1, one line at a time (blank lines are skipped, line numbers still
 * count). A line that is not UTF-8, not JSON, too long, or fits no format throws INVALID_DATASET
 * naming file and line; so does an empty source file when `requireRows` is set.
 */
export async function* readDataset(path: string, options: ReadDatasetOptions): AsyncGenerator<RowV1> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lineNumber = 0;
  let seen = 0;
  const skip = options.skip ?? 0;
  try {
    for await (const bytes of byteLines(path, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
      lineNumber += 1;
      let line: string;
      try {
        line = decoder.decode(bytes);
      } catch (error) {
        throw invalid(`${path}:${lineNumber}: not valid UTF-8. Datasets must be UTF-8 JSONL; convert the file (e.g. \`iconv -t UTF-8\`).`, error);
      }
      if (line.trim().length === 0) continue;
      seen += 1;
      if (seen <= skip) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw invalid(`${path}:${lineNumber}: not valid JSON (${(error as Error).message}). Each line of a dataset must be one JSON object.`, error);
      }
      try {
        yield normaliseRow(record, options.format, `${options.name}:${lineNumber}`);
      } catch (error) {
        if (!(error instanceof RowFormatError)) throw error;
        throw invalid(`${path}:${lineNumber}: ${error.message} (format "${options.format}"; set datasets.${options.name}.format to alpaca, sharegpt or messages).`);
      }
    }
  } catch (error) {
    if (DistillError.isInstance(error) && /^file not found: /.test(error.message)) {
      throw invalid(`Dataset "${options.name}": ${error.message}`, error);
    }
    throw error;
  }
  if (seen === 0 && options.requireRows) {
    throw invalid(`${path}: dataset "${options.name}" has no rows (the file is empty). Give it at least one JSON object per line.`);
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
