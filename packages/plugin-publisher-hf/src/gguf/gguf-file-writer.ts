import { open, rename, rm } from 'node:fs/promises';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufValueType, ggmlTensorBytes, type GgmlType } from './gguf-constants';
import type { GgufMetadata, GgufMetadataEntry } from './gguf-metadata';

/** One tensor to write: its GGUF name, shape in PyTorch order (outermost first), type and bytes. */
export interface GgufTensorPlan {
  name: string;
  /** PyTorch / safetensors order; GGUF stores it reversed (`ne[0]` is the innermost dimension). */
  shape: readonly number[];
  type: GgmlType;
  /** Produces the encoded bytes (called once, in file order, so only one tensor is in memory). */
  data(): Promise<Uint8Array> | Uint8Array;
}

/** Growable little-endian byte buffer for the header. */
class ByteSink {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  uint8(value: number): void { this.reserve(1); this.view.setUint8(this.length, value); this.length += 1; }
  int8(value: number): void { this.reserve(1); this.view.setInt8(this.length, value); this.length += 1; }
  uint16(value: number): void { this.reserve(2); this.view.setUint16(this.length, value, true); this.length += 2; }
  int16(value: number): void { this.reserve(2); this.view.setInt16(this.length, value, true); this.length += 2; }
  uint32(value: number): void { this.reserve(4); this.view.setUint32(this.length, value, true); this.length += 4; }
  int32(value: number): void { this.reserve(4); this.view.setInt32(this.length, value, true); this.length += 4; }
  float32(value: number): void { this.reserve(4); this.view.setFloat32(this.length, value, true); this.length += 4; }
  float64(value: number): void { this.reserve(8); this.view.setFloat64(this.length, value, true); this.length += 8; }
  uint64(value: number | bigint): void { this.reserve(8); this.view.setBigUint64(this.length, BigInt(value), true); this.length += 8; }
  int64(value: number | bigint): void { this.reserve(8); this.view.setBigInt64(this.length, BigInt(value), true); this.length += 8; }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.uint64(bytes.length);
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  pad(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

function writeScalar(sink: ByteSink, type: GgufValueType, value: unknown, key: string): void {
  switch (type) {
    case GgufValueType.UINT8: return sink.uint8(value as number);
    case GgufValueType.INT8: return sink.int8(value as number);
    case GgufValueType.UINT16: return sink.uint16(value as number);
    case GgufValueType.INT16: return sink.int16(value as number);
    case GgufValueType.UINT32: return sink.uint32(value as number);
    case GgufValueType.INT32: return sink.int32(value as number);
    case GgufValueType.FLOAT32: return sink.float32(value as number);
    case GgufValueType.BOOL: return sink.uint8(value ? 1 : 0);
    case GgufValueType.STRING: return sink.string(value as string);
    case GgufValueType.UINT64: return sink.uint64(value as bigint);
    case GgufValueType.INT64: return sink.int64(value as bigint);
    case GgufValueType.FLOAT64: return sink.float64(value as number);
    default: throw new TypeError(`GGUF key ${key}: unsupported value type ${type}.`);
  }
}

function writeEntry(sink: ByteSink, entry: GgufMetadataEntry): void {
  sink.string(entry.key);
  sink.uint32(entry.type);
  if (entry.type !== GgufValueType.ARRAY) {
    writeScalar(sink, entry.type, entry.value, entry.key);
    return;
  }
  const items = entry.value as readonly unknown[];
  sink.uint32(entry.itemType!);
  sink.uint64(items.length);
  for (const item of items) writeScalar(sink, entry.itemType!, item, entry.key);
}

const ZEROS = new Uint8Array(GGUF_DEFAULT_ALIGNMENT);

/**
 * Writes a GGUF v3 file: header, metadata, tensor infos, then each tensor's data aligned to 32
 * bytes. The file is written under a temporary name and renamed into place, so `path` is either
 * absent or complete. Returns the file's size in bytes.
 */
export async function writeGgufFile(
  path: string,
  metadata: GgufMetadata,
  tensors: readonly GgufTensorPlan[],
  onTensorWritten?: (index: number, name: string) => void,
): Promise<number> {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const sink = new ByteSink();
  sink.uint32(GGUF_MAGIC);
  sink.uint32(GGUF_VERSION);
  sink.uint64(tensors.length);
  const entries = metadata.list();
  sink.uint64(entries.length);
  for (const entry of entries) writeEntry(sink, entry);
  const sizes: number[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.shape.reduce((product, dimension) => product * dimension, 1);
    const size = ggmlTensorBytes(tensor.type, elements);
    sizes.push(size);
    sink.string(tensor.name);
    sink.uint32(tensor.shape.length);
    for (let axis = tensor.shape.length - 1; axis >= 0; axis -= 1) sink.uint64(tensor.shape[axis]);
    sink.uint32(tensor.type);
    sink.uint64(offset);
    offset += size + ((alignment - (size % alignment)) % alignment);
  }
  sink.pad(alignment);

  const temporary = `${path}.partial-${process.pid}`;
  const handle = await open(temporary, 'w');
  let total = 0;
  try {
    await handle.write(sink.bytes());
    total = sink.length;
    for (const [index, tensor] of tensors.entries()) {
      const bytes = await tensor.data();
      if (bytes.length !== sizes[index]) {
        throw new Error(`GGUF tensor ${tensor.name}: produced ${bytes.length} bytes, expected ${sizes[index]}.`);
      }
      await handle.write(bytes);
      const padding = (alignment - (bytes.length % alignment)) % alignment;
      if (padding > 0) await handle.write(ZEROS, 0, padding);
      total += bytes.length + padding;
      onTensorWritten?.(index, tensor.name);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  return total;
}
