import { open, type FileHandle } from 'node:fs/promises';
import { LlmError } from '../errors/llm-error';
import { bf16ToFloat32, DTYPE_BYTES, f16ToFloat32, type SafetensorsDtype } from './dtype-conversion';

/** Where one tensor lies in a safetensors file (absolute byte offsets). */
export interface SafetensorsEntry {
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** A tensor read from disk, widened to float32 (floating dtypes) or int32 (integer dtypes). */
export interface LoadedTensor {
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly data: Float32Array | Int32Array;
  /** The dtype the file stored. */
  readonly storedDtype: SafetensorsDtype;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/**
 * One safetensors file, opened lazily: `open` reads only the JSON header, and `read(name)` reads
 * one tensor's bytes straight into its destination array, so loading a model never holds the
 * whole file in memory beside the weights.
 */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly tensors: Map<string, SafetensorsEntry>,
    readonly metadata: Record<string, string>,
  ) {}

  /** Opens `path` and parses its header; throws `LlmError` (`safetensors-invalid`) on a malformed file. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new LlmError('file-not-found', `Cannot open safetensors file ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const { size } = await handle.stat();
      const lengthBytes = Buffer.alloc(8);
      await handle.read(lengthBytes, 0, 8, 0);
      const headerLength = Number(lengthBytes.readBigUInt64LE(0));
      if (size < 8 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
        throw new LlmError('safetensors-invalid', `${path} is not a safetensors file (header length ${headerLength}, file size ${size}).`);
      }
      const headerBytes = Buffer.alloc(headerLength);
      await handle.read(headerBytes, 0, headerLength, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new LlmError('safetensors-invalid', `${path}: the safetensors header is not valid JSON.`, { cause: error });
      }
      const dataStart = 8 + headerLength;
      const tensors = new Map<string, SafetensorsEntry>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(header)) {
        if (name === '__metadata__') {
          metadata = (value ?? {}) as Record<string, string>;
          continue;
        }
        const entry = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
        const dtype = entry.dtype as SafetensorsDtype;
        if (!(dtype in DTYPE_BYTES)) {
          throw new LlmError('safetensors-dtype', `${path}: tensor "${name}" has dtype ${entry.dtype}; supported: ${Object.keys(DTYPE_BYTES).join(', ')}.`);
        }
        const [begin, end] = entry.data_offsets;
        const elements = entry.shape.reduce((product, dimension) => product * dimension, 1);
        if (end - begin !== elements * DTYPE_BYTES[dtype] || dataStart + end > size) {
          throw new LlmError('safetensors-invalid', `${path}: tensor "${name}" offsets [${begin}, ${end}] do not match shape [${entry.shape}] ${dtype} or the file size ${size}.`);
        }
        tensors.set(name, { dtype, shape: entry.shape, begin: dataStart + begin, end: dataStart + end });
      }
      return new SafetensorsFile(path, handle, tensors, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Reads one tensor; floating dtypes come back as float32, integer dtypes as int32. */
  async read(name: string): Promise<LoadedTensor> {
    const entry = this.tensors.get(name);
    if (!entry) throw new LlmError('tensor-not-found', `${this.path} has no tensor named "${name}".`);
    const byteLength = entry.end - entry.begin;
    const elements = entry.shape.reduce((product, dimension) => product * dimension, 1);
    const readInto = async (target: Uint8Array): Promise<void> => {
      let done = 0;
      while (done < byteLength) {
        const { bytesRead } = await this.handle.read(target, done, byteLength - done, entry.begin + done);
        if (bytesRead === 0) throw new LlmError('safetensors-invalid', `${this.path}: unexpected end of file reading "${name}".`);
        done += bytesRead;
      }
    };
    switch (entry.dtype) {
      case 'F32': {
        const data = new Float32Array(elements);
        await readInto(new Uint8Array(data.buffer));
        return { dtype: 'float32', shape: entry.shape, data, storedDtype: entry.dtype };
      }
      case 'I32': {
        const data = new Int32Array(elements);
        await readInto(new Uint8Array(data.buffer));
        return { dtype: 'int32', shape: entry.shape, data, storedDtype: entry.dtype };
      }
      case 'BF16':
      case 'F16': {
        const data = new Float32Array(elements);
        // Read the 16-bit values into the back half of the float32 buffer, then widen in place
        // from the front: element i's source (byte 2n + 2i) is never overwritten before it is read.
        const bits = new Uint16Array(data.buffer, elements * 2, elements);
        await readInto(new Uint8Array(data.buffer, elements * 2, byteLength));
        if (entry.dtype === 'BF16') bf16ToFloat32(bits, data);
        else f16ToFloat32(bits, data);
        return { dtype: 'float32', shape: entry.shape, data, storedDtype: entry.dtype };
      }
      case 'F64': {
        const raw = new Float64Array(elements);
        await readInto(new Uint8Array(raw.buffer));
        return { dtype: 'float32', shape: entry.shape, data: Float32Array.from(raw), storedDtype: entry.dtype };
      }
      case 'I64': {
        const raw = new BigInt64Array(elements);
        await readInto(new Uint8Array(raw.buffer));
        const data = new Int32Array(elements);
        for (let index = 0; index < elements; index += 1) data[index] = Number(raw[index]);
        return { dtype: 'int32', shape: entry.shape, data, storedDtype: entry.dtype };
      }
    }
  }

  /** Closes the file handle. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
