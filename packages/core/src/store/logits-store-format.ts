import { crc32 } from 'node:zlib';
import type { TopKLogitsV1 } from '../spec/shared/v1/top-k-logits-v1';

/**
 * Binary layout of the logits store (version 1). Little-endian throughout.
 *
 * File header (16 bytes): magic `EDLOGITS` (8), u16 version, u16 k, u32 reserved.
 * Then records, appended one per row, each self-describing so the file can be cut back to any
 * committed record boundary and still be read without its index:
 *
 * | bytes | field |
 * |---|---|
 * | 4 | record magic `0x314B5452` ("RTK1") |
 * | 4 | body length (bytes after these 8, checksum included) |
 * | 1 | flags: bit 0 set = 4-byte token ids, clear = 3-byte ids (id + 1, so -1 pads fit) |
 * | 1 | reserved |
 * | 2 | row id length in bytes (UTF-8) |
 * | 4 | T, response tokens |
 * | 2 | k |
 * | … | row id |
 * | T × w | response token ids |
 * | T × k × w | top-k ids (descending probability) |
 * | T × k × 2 | top-k log-probabilities, IEEE float16 |
 * | 4 | CRC-32 of everything from `flags` to the last log-probability |
 *
 * With 3-byte ids (vocabularies under 16.7 M) an entry costs 5 bytes and a token at k = 10 costs
 * 53 bytes plus the per-record overhead.
 */
export const FILE_MAGIC = Buffer.from('EDLOGITS', 'latin1');
export const FILE_VERSION = 1;
export const FILE_HEADER_BYTES = 16;
export const RECORD_MAGIC = 0x314b5452;
/** Record prefix (magic + body length) plus the fixed part of the body. */
export const RECORD_PREFIX_BYTES = 8;
export const RECORD_FIXED_BYTES = 10;
const FLAG_WIDE_IDS = 1;
const NARROW_ID_LIMIT = 0xffffff - 1;

/** Encodes the 16-byte file header. */
export function encodeFileHeader(k: number): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt16LE(FILE_VERSION, 8);
  header.writeUInt16LE(k, 10);
  return header;
}

/** Parses the file header; returns k, or a message saying what is wrong. */
export function decodeFileHeader(header: Buffer): { k: number } | { problem: string } {
  if (header.length < FILE_HEADER_BYTES) return { problem: 'the file is shorter than its 16-byte header' };
  if (!header.subarray(0, 8).equals(FILE_MAGIC)) return { problem: 'it does not start with the EDLOGITS magic (not a logits store)' };
  const version = header.readUInt16LE(8);
  if (version !== FILE_VERSION) return { problem: `it is format version ${version}; this reader knows version ${FILE_VERSION}` };
  return { k: header.readUInt16LE(10) };
}

/** Checks a TopKLogitsV1 is internally consistent; returns a problem or undefined. */
export function checkLogits(logits: TopKLogitsV1): string | undefined {
  const { k, tokenIds, topIds, topLogprobs } = logits;
  if (!Number.isInteger(k) || k < 1 || k > 0xffff) return `k must be an integer from 1 to 65535, got ${k}`;
  const positions = tokenIds.length * k;
  if (topIds.length !== positions) return `topIds has ${topIds.length} entries; expected T × k = ${tokenIds.length} × ${k} = ${positions}`;
  if (topLogprobs.length !== positions) return `topLogprobs has ${topLogprobs.length} entries; expected T × k = ${positions}`;
  return undefined;
}

/** Encodes one record (prefix included). */
export function encodeRecord(rowId: string, logits: TopKLogitsV1): Buffer {
  const idBytes = Buffer.from(rowId, 'utf8');
  if (idBytes.length > 0xffff) throw new RangeError(`row id is ${idBytes.length} bytes; the store allows 65535`);
  const { k, tokenIds, topIds, topLogprobs } = logits;
  const tokens = tokenIds.length;
  const wide = !(fitsNarrow(tokenIds) && fitsNarrow(topIds));
  const width = wide ? 4 : 3;
  const entries = tokens * k;
  const bodyLength = RECORD_FIXED_BYTES + idBytes.length + tokens * width + entries * width + entries * 2 + 4;
  const buffer = Buffer.allocUnsafe(RECORD_PREFIX_BYTES + bodyLength);
  buffer.writeUInt32LE(RECORD_MAGIC, 0);
  buffer.writeUInt32LE(bodyLength, 4);
  let at = RECORD_PREFIX_BYTES;
  buffer.writeUInt8(wide ? FLAG_WIDE_IDS : 0, at);
  buffer.writeUInt8(0, at + 1);
  buffer.writeUInt16LE(idBytes.length, at + 2);
  buffer.writeUInt32LE(tokens, at + 4);
  buffer.writeUInt16LE(k, at + 8);
  at += RECORD_FIXED_BYTES;
  idBytes.copy(buffer, at);
  at += idBytes.length;
  at = writeIds(buffer, at, tokenIds, wide);
  at = writeIds(buffer, at, topIds, wide);
  for (let index = 0; index < entries; index++) {
    buffer.writeUInt16LE(float32ToFloat16Bits(topLogprobs[index]!), at);
    at += 2;
  }
  buffer.writeUInt32LE(crc32(buffer.subarray(RECORD_PREFIX_BYTES, at)), at);
  return buffer;
}

/** Parses a record's 8-byte prefix; undefined when the magic is wrong. */
export function decodeRecordPrefix(prefix: Buffer): { bodyLength: number } | undefined {
  if (prefix.readUInt32LE(0) !== RECORD_MAGIC) return undefined;
  return { bodyLength: prefix.readUInt32LE(4) };
}

/** Decodes a record body (the bytes after the prefix). Throws on a checksum mismatch. */
export function decodeRecordBody(body: Buffer): { rowId: string; logits: TopKLogitsV1 } {
  const checksumAt = body.length - 4;
  if (crc32(body.subarray(0, checksumAt)) !== body.readUInt32LE(checksumAt)) {
    throw new Error('record checksum mismatch (the file is corrupt)');
  }
  const wide = (body.readUInt8(0) & FLAG_WIDE_IDS) !== 0;
  const rowIdLength = body.readUInt16LE(2);
  const tokens = body.readUInt32LE(4);
  const k = body.readUInt16LE(8);
  let at = RECORD_FIXED_BYTES;
  const rowId = body.toString('utf8', at, at + rowIdLength);
  at += rowIdLength;
  const tokenIds = new Int32Array(tokens);
  at = readIds(body, at, tokenIds, wide);
  const entries = tokens * k;
  const topIds = new Int32Array(entries);
  at = readIds(body, at, topIds, wide);
  const topLogprobs = new Float32Array(entries);
  const table = float16Table();
  for (let index = 0; index < entries; index++) {
    topLogprobs[index] = table[body[at]! | (body[at + 1]! << 8)]!;
    at += 2;
  }
  return { rowId, logits: { k, tokenIds, topIds, topLogprobs } };
}

/** Reads the row id from a record body's first bytes (fixed part + id). */
export function decodeRecordRowId(head: Buffer): string {
  const rowIdLength = head.readUInt16LE(2);
  return head.toString('utf8', RECORD_FIXED_BYTES, RECORD_FIXED_BYTES + rowIdLength);
}

function fitsNarrow(ids: Int32Array): boolean {
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    if (id < -1 || id > NARROW_ID_LIMIT) return false;
  }
  return true;
}

function writeIds(buffer: Buffer, at: number, ids: Int32Array, wide: boolean): number {
  if (wide) {
    for (let index = 0; index < ids.length; index++, at += 4) buffer.writeInt32LE(ids[index]!, at);
    return at;
  }
  for (let index = 0; index < ids.length; index++, at += 3) {
    const value = ids[index]! + 1;
    buffer[at] = value & 0xff;
    buffer[at + 1] = (value >>> 8) & 0xff;
    buffer[at + 2] = (value >>> 16) & 0xff;
  }
  return at;
}

function readIds(buffer: Buffer, at: number, ids: Int32Array, wide: boolean): number {
  if (wide) {
    for (let index = 0; index < ids.length; index++, at += 4) ids[index] = buffer.readInt32LE(at);
    return at;
  }
  for (let index = 0; index < ids.length; index++, at += 3) {
    ids[index] = (buffer[at]! | (buffer[at + 1]! << 8) | (buffer[at + 2]! << 16)) - 1;
  }
  return at;
}

const conversion = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary32 → binary16 bits, round to nearest even; ±Infinity and NaN kept. */
export function float32ToFloat16Bits(value: number): number {
  conversion.setFloat32(0, value);
  const bits = conversion.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let half = full >>> shift;
    const remainder = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) !== 0)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) !== 0)) half += 1;
  return sign | half;
}

/** binary16 bits → number. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let float16Table_: Float32Array | undefined;

/** Decoding table: every binary16 bit pattern to its float value (256 KiB, built on first read, not at import). */
function float16Table(): Float32Array {
  if (!float16Table_) {
    const table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = float16BitsToFloat32(bits);
    float16Table_ = table;
  }
  return float16Table_;
}
