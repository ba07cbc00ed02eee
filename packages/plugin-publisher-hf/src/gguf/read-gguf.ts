import { open } from 'node:fs/promises';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType, ggmlTensorBytes, type GgmlType } from './gguf-constants';
import { decodeTensor } from './ggml-quantize';

/** A tensor's entry in a GGUF file. */
export interface GgufTensorInfo {
  name: string;
  /** GGUF order: `dimensions[0]` is the innermost (contiguous) dimension. */
  dimensions: number[];
  type: GgmlType;
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  bytes: number;
}

/** The parsed header of a GGUF file. */
export interface GgufFileContents {
  version: number;
  metadata: Map<string, unknown>;
  tensors: Map<string, GgufTensorInfo>;
  /** Reads one tensor and decodes it to float32. */
  readTensor(name: string): Promise<Float32Array>;
}

class Cursor {
  offset = 0;
  constructor(private readonly view: DataView, private readonly bytes: Uint8Array) {}
  uint32(): number { const value = this.view.getUint32(this.offset, true); this.offset += 4; return value; }
  uint64(): number { const value = Number(this.view.getBigUint64(this.offset, true)); this.offset += 8; return value; }
  string(): string {
    const length = this.uint64();
    const value = Buffer.from(this.bytes.subarray(this.offset, this.offset + length)).toString('utf8');
    this.offset += length;
    return value;
  }
  value(type: number): unknown {
    const view = this.view;
    const at = this.offset;
    switch (type) {
      case GgufValueType.UINT8: this.offset += 1; return view.getUint8(at);
      case GgufValueType.INT8: this.offset += 1; return view.getInt8(at);
      case GgufValueType.UINT16: this.offset += 2; return view.getUint16(at, true);
      case GgufValueType.INT16: this.offset += 2; return view.getInt16(at, true);
      case GgufValueType.UINT32: this.offset += 4; return view.getUint32(at, true);
      case GgufValueType.INT32: this.offset += 4; return view.getInt32(at, true);
      case GgufValueType.FLOAT32: this.offset += 4; return view.getFloat32(at, true);
      case GgufValueType.BOOL: this.offset += 1; return view.getUint8(at) !== 0;
      case GgufValueType.STRING: return this.string();
      case GgufValueType.UINT64: this.offset += 8; return view.getBigUint64(at, true);
      case GgufValueType.INT64: this.offset += 8; return view.getBigInt64(at, true);
      case GgufValueType.FLOAT64: this.offset += 8; return view.getFloat64(at, true);
      case GgufValueType.ARRAY: {
        const itemType = this.uint32();
        const count = this.uint64();
        const items: unknown[] = new Array(count);
        for (let index = 0; index < count; index += 1) items[index] = this.value(itemType);
        return items;
      }
      default:
        throw new Error(`Unknown GGUF value type ${type} at byte ${at}.`);
    }
  }
}

/**
 * Parses a GGUF file's header (metadata and tensor infos); tensor data is read on demand. Used by
 * the tests and by `exportGguf`'s self-check; not a general-purpose GGUF library (v2/v3 only).
 */
export async function readGguf(path: string): Promise<GgufFileContents> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    // Headers of small models fit in a few MB; grow until the tensor infos are complete.
    let length = Math.min(size, 1 << 22);
    for (;;) {
      const bytes = Buffer.alloc(length);
      await handle.read(bytes, 0, length, 0);
      try {
        return parse(bytes, path, size);
      } catch (error) {
        if (!(error instanceof RangeError) || length >= size) throw error;
        length = Math.min(size, length * 4);
      }
    }
  } finally {
    await handle.close();
  }
}

function parse(bytes: Buffer, path: string, size: number): GgufFileContents {
  const cursor = new Cursor(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes);
  if (cursor.uint32() !== GGUF_MAGIC) throw new Error(`${path} is not a GGUF file (bad magic).`);
  const version = cursor.uint32();
  const tensorCount = cursor.uint64();
  const metadataCount = cursor.uint64();
  const metadata = new Map<string, unknown>();
  for (let index = 0; index < metadataCount; index += 1) {
    const key = cursor.string();
    metadata.set(key, cursor.value(cursor.uint32()));
  }
  const infos: Array<Omit<GgufTensorInfo, 'bytes'>> = [];
  for (let index = 0; index < tensorCount; index += 1) {
    const name = cursor.string();
    const dimensionCount = cursor.uint32();
    const dimensions: number[] = [];
    for (let axis = 0; axis < dimensionCount; axis += 1) dimensions.push(cursor.uint64());
    const type = cursor.uint32() as GgmlType;
    infos.push({ name, dimensions, type, offset: cursor.uint64() });
  }
  const alignment = Number(metadata.get('general.alignment') ?? GGUF_DEFAULT_ALIGNMENT);
  const dataStart = Math.ceil(cursor.offset / alignment) * alignment;
  const tensors = new Map<string, GgufTensorInfo>();
  for (const info of infos) {
    const elements = info.dimensions.reduce((product, dimension) => product * dimension, 1);
    const tensor = { ...info, offset: dataStart + info.offset, bytes: ggmlTensorBytes(info.type, elements) };
    if (tensor.offset + tensor.bytes > size) throw new Error(`${path}: tensor ${info.name} runs past the end of the file.`);
    tensors.set(info.name, tensor);
  }
  return {
    version,
    metadata,
    tensors,
    async readTensor(name) {
      const tensor = tensors.get(name);
      if (!tensor) throw new Error(`${path} has no tensor ${name}.`);
      const handle = await open(path, 'r');
      try {
        const data = Buffer.alloc(tensor.bytes);
        await handle.read(data, 0, tensor.bytes, tensor.offset);
        const elements = tensor.dimensions.reduce((product, dimension) => product * dimension, 1);
        return decodeTensor(data, tensor.type, elements);
      } finally {
        await handle.close();
      }
    },
  };
}
