import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DistillError } from '../errors/distill-error';
import type { TopKLogitsV1 } from '../spec/shared/v1/top-k-logits-v1';
import { writeJsonAtomic } from './atomic-write';
import {
  FILE_HEADER_BYTES,
  RECORD_FIXED_BYTES,
  RECORD_PREFIX_BYTES,
  checkLogits,
  decodeFileHeader,
  decodeRecordBody,
  decodeRecordPrefix,
  decodeRecordRowId,
  encodeFileHeader,
  encodeRecord,
} from './logits-store-format';

/** Path of the index written beside a store when its writer closes. */
export function logitsIndexPath(path: string): string {
  return `${path}.index.json`;
}

interface IndexFile {
  format: 'easydistill-logits-index';
  version: 1;
  k: number;
  /** Length of the store the index describes; any other length means the index is stale. */
  dataBytes: number;
  /** `[rowId, offset of its record, T]`, in file order (last record of a repeated id wins). */
  rows: Array<[string, number, number]>;
}

interface Entry {
  offset: number;
  tokens: number;
}

export interface LogitsStoreWriterOptions {
  /** Alternatives per position; every appended row must have this k. */
  k: number;
  /**
   * Committed length from the runner's state: the file is cut back to it before writing, so rows
   * written after the last commit (a torn record included) disappear. Omitted: keep every whole
   * record already in the file and drop only a torn tail.
   */
  committed?: number;
}

/**
 * Appends rows' top-k log-probabilities to a logits store: a stream of self-describing records
 * (see `logits-store-format.ts`), 3- or 4-byte token ids and float16 log-probabilities, so at most
 * 6 bytes per (id, log-probability) entry. `commit()` makes what was appended durable and returns
 * the length to record as committed; `close()` also writes the index atomically.
 */
export class LogitsStoreWriter {
  private readonly entries = new Map<string, Entry>();
  private length: number;
  private dirty = false;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly k: number,
    private readonly fd: number,
    length: number,
  ) {
    this.length = length;
  }

  /** Opens (creating, or resuming after the committed length) a store for appending. */
  static open(path: string, options: LogitsStoreWriterOptions): LogitsStoreWriter {
    const { k, committed } = options;
    if (!Number.isInteger(k) || k < 1 || k > 0xffff) {
      throw storeError(`${path}: k must be an integer from 1 to 65535, got ${k}`);
    }
    mkdirSync(dirname(path), { recursive: true });
    // Any index on disk stops describing the file as soon as it changes.
    rmSync(logitsIndexPath(path), { force: true });
    let size = existsSync(path) ? statSync(path).size : -1;
    if (committed !== undefined) {
      if (size < 0 && committed > 0) throw storeError(`${path} is missing but its committed length is ${committed}: the file was removed outside the run`);
      if (size >= 0 && size < committed) throw storeError(`${path} is ${size} bytes but its committed length is ${committed}: the file was changed outside the run`);
      if (size >= 0) {
        truncateSync(path, committed);
        size = committed;
      }
    }
    const fd = openSync(path, size < 0 ? 'w+' : 'r+');
    try {
      if (size <= 0) {
        writeAll(fd, encodeFileHeader(k), 0);
        return new LogitsStoreWriter(path, k, fd, FILE_HEADER_BYTES);
      }
      const header = readExactly(fd, 0, Math.min(size, FILE_HEADER_BYTES));
      const parsed = decodeFileHeader(header);
      if ('problem' in parsed) throw storeError(`${path} cannot be appended to: ${parsed.problem}. Delete it or point the stage at a new file.`);
      if (parsed.k !== k) throw storeError(`${path} holds k = ${parsed.k} but the stage asks for k = ${k}. Use the same topLogprobs as the run that wrote it, or a new file.`);
      const writer = new LogitsStoreWriter(path, k, fd, size);
      const end = scanRecords(fd, path, size, (rowId, offset, tokens) => writer.entries.set(rowId, { offset, tokens }));
      if (end < size) truncateSync(path, end);
      writer.length = end;
      return writer;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Bytes in the file, header included: the offset the next record starts at. */
  get bytesWritten(): number {
    return this.length;
  }

  /** Rows in the store (a re-appended id counts once). */
  get rowCount(): number {
    return this.entries.size;
  }

  /** Appends one row's logits; returns the offset of its record. A later record for the same id wins. */
  append(rowId: string, logits: TopKLogitsV1): number {
    if (this.closed) throw storeError(`${this.path}: append after close`);
    const problem = checkLogits(logits);
    if (problem) throw storeError(`${this.path}: row "${rowId}": ${problem}`);
    if (logits.k !== this.k) throw storeError(`${this.path}: row "${rowId}" has k = ${logits.k}; the store was opened with k = ${this.k}`);
    const record = encodeRecord(rowId, logits);
    const offset = this.length;
    writeAll(this.fd, record, offset);
    this.length += record.length;
    this.entries.set(rowId, { offset, tokens: logits.tokenIds.length });
    this.dirty = true;
    return offset;
  }

  /** Makes every appended record durable (fsync); returns the length to store as committed. */
  commit(): number {
    if (this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
    return this.length;
  }

  /** Commits, closes the file and writes the index beside it (atomically). */
  close(): void {
    if (this.closed) return;
    this.commit();
    closeSync(this.fd);
    this.closed = true;
    const index: IndexFile = {
      format: 'easydistill-logits-index',
      version: 1,
      k: this.k,
      dataBytes: this.length,
      rows: [...this.entries].map(([rowId, entry]) => [rowId, entry.offset, entry.tokens]),
    };
    writeJsonAtomic(logitsIndexPath(this.path), index);
  }
}

/**
 * Reads a logits store one row at a time. Uses the index when it matches the file; otherwise
 * (missing, stale after a crash, or cut back to a committed length) it scans the record headers,
 * which reads each record's first bytes only. Never loads the whole file.
 */
export class LogitsStoreReader {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly k: number,
    private readonly fd: number,
    private readonly entries: Map<string, Entry>,
    /** `index` when the index was used, `scan` when the records were scanned. */
    readonly source: 'index' | 'scan',
  ) {}

  static open(path: string): LogitsStoreReader {
    if (!existsSync(path)) throw storeError(`logits store ${path} does not exist. Run the stage that writes it (respond with topLogprobs or score) first.`);
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const parsed = decodeFileHeader(readExactly(fd, 0, Math.min(size, FILE_HEADER_BYTES)));
      if ('problem' in parsed) throw storeError(`${path} is not a readable logits store: ${parsed.problem}`);
      const indexed = readIndex(path, parsed.k, size);
      if (indexed) return new LogitsStoreReader(path, parsed.k, fd, indexed, 'index');
      const entries = new Map<string, Entry>();
      scanRecords(fd, path, size, (rowId, offset, tokens) => entries.set(rowId, { offset, tokens }));
      return new LogitsStoreReader(path, parsed.k, fd, entries, 'scan');
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Number of rows. */
  get size(): number {
    return this.entries.size;
  }

  /** Row ids in file order. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  has(rowId: string): boolean {
    return this.entries.has(rowId);
  }

  /** Response length T of a row without reading its record. */
  tokenCount(rowId: string): number | undefined {
    return this.entries.get(rowId)?.tokens;
  }

  /** The row's top-k logits, or undefined when the store has no such row. */
  get(rowId: string): TopKLogitsV1 | undefined {
    if (this.closed) throw storeError(`${this.path}: get after close`);
    const entry = this.entries.get(rowId);
    if (!entry) return undefined;
    const prefix = decodeRecordPrefix(readExactly(this.fd, entry.offset, RECORD_PREFIX_BYTES));
    if (!prefix) throw storeError(`${this.path}: no record at offset ${entry.offset} for row "${rowId}"; the index is wrong. Delete ${logitsIndexPath(this.path)} to rebuild it by scanning.`);
    const body = readExactly(this.fd, entry.offset + RECORD_PREFIX_BYTES, prefix.bodyLength);
    try {
      return decodeRecordBody(body).logits;
    } catch (error) {
      throw storeError(`${this.path}: row "${rowId}" at offset ${entry.offset}: ${(error as Error).message}`, error);
    }
  }

  close(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
  }
}

function readIndex(path: string, k: number, size: number): Map<string, Entry> | undefined {
  let index: IndexFile;
  try {
    index = JSON.parse(readFileSync(logitsIndexPath(path), 'utf8')) as IndexFile;
  } catch {
    return undefined;
  }
  if (index.format !== 'easydistill-logits-index' || index.version !== 1 || index.k !== k || index.dataBytes !== size || !Array.isArray(index.rows)) {
    return undefined;
  }
  return new Map(index.rows.map(([rowId, offset, tokens]) => [rowId, { offset, tokens }]));
}

const SCAN_CHUNK_BYTES = 1 << 20;

/**
 * Walks the record headers from the file header to `size`, calling `onRecord` for each whole
 * record; returns where the last whole record ends (less than `size` when the tail is torn).
 */
function scanRecords(fd: number, path: string, size: number, onRecord: (rowId: string, offset: number, tokens: number) => void): number {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0;
  const view = (position: number, length: number): Buffer => {
    if (position < chunkStart || position + length > chunkStart + chunk.length) {
      chunk = readExactly(fd, position, Math.min(Math.max(length, SCAN_CHUNK_BYTES), size - position));
      chunkStart = position;
    }
    return chunk.subarray(position - chunkStart, position - chunkStart + length);
  };
  let position = FILE_HEADER_BYTES;
  while (position < size) {
    if (size - position < RECORD_PREFIX_BYTES + RECORD_FIXED_BYTES) break;
    const prefix = decodeRecordPrefix(view(position, RECORD_PREFIX_BYTES));
    if (!prefix) {
      throw storeError(`${path}: no record starts at offset ${position} (bad magic): the file is corrupt. Cut it back to the last committed length or delete it.`);
    }
    const end = position + RECORD_PREFIX_BYTES + prefix.bodyLength;
    if (end > size) break;
    const fixed = view(position + RECORD_PREFIX_BYTES, RECORD_FIXED_BYTES);
    const rowIdLength = fixed.readUInt16LE(2);
    const tokens = fixed.readUInt32LE(4);
    const head = view(position + RECORD_PREFIX_BYTES, RECORD_FIXED_BYTES + rowIdLength);
    onRecord(decodeRecordRowId(head), position, tokens);
    position = end;
  }
  return position;
}

function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw storeError(`unexpected end of file at offset ${position + done}`);
    done += read;
  }
  return buffer;
}

function writeAll(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done, position + done);
}

function storeError(message: string, cause?: unknown): DistillError {
  return new DistillError({ code: 'INVALID_DATASET', message, cause });
}
