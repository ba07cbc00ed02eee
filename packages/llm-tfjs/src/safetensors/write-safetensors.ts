import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmError } from '../errors/llm-error';
import { DTYPE_BYTES, float32ToBf16, float32ToF16, type SafetensorsDtype } from './dtype-conversion';
import { SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE } from './safetensors-folder';

/** Floating-point dtypes a model can be saved in, with transformers' names. */
export type SaveDtype = 'float32' | 'bfloat16' | 'float16';

/** One tensor to write; `read` is called once, when its bytes are due, so data can stream. */
export interface TensorSource {
  readonly name: string;
  readonly shape: number[];
  /** `int32` tensors are written as I32 whatever the save dtype. */
  readonly kind?: 'float' | 'int32';
  read(): Promise<Float32Array | Int32Array>;
}

const STORAGE: Record<SaveDtype, SafetensorsDtype> = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' };

function storedDtype(source: TensorSource, dtype: SaveDtype): SafetensorsDtype {
  return source.kind === 'int32' ? 'I32' : STORAGE[dtype];
}

function byteSize(source: TensorSource, dtype: SaveDtype): number {
  return source.shape.reduce((product, dimension) => product * dimension, 1) * DTYPE_BYTES[storedDtype(source, dtype)];
}

function encode(data: Float32Array | Int32Array, stored: SafetensorsDtype): Uint8Array {
  if (stored === 'BF16') return new Uint8Array(float32ToBf16(data as Float32Array).buffer);
  if (stored === 'F16') return new Uint8Array(float32ToF16(data as Float32Array).buffer);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Writes one safetensors file: 8-byte little-endian header length, JSON header padded with
 * spaces to a multiple of 8, then the tensors in the given order. Metadata always carries
 * `format: "pt"`, which transformers requires.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: readonly TensorSource[],
  options: { dtype?: SaveDtype; metadata?: Record<string, string> } = {},
): Promise<number> {
  const dtype = options.dtype ?? 'float32';
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...options.metadata } };
  let offset = 0;
  for (const tensor of tensors) {
    const size = byteSize(tensor, dtype);
    header[tensor.name] = { dtype: storedDtype(tensor, dtype), shape: tensor.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  const handle = await open(path, 'w');
  try {
    await handle.write(length);
    await handle.write(headerBytes);
    for (const tensor of tensors) {
      const data = await tensor.read();
      const expected = tensor.shape.reduce((product, dimension) => product * dimension, 1);
      if (data.length !== expected) {
        throw new LlmError('tensor-shape-mismatch', `Tensor "${tensor.name}" has ${data.length} values, its shape [${tensor.shape}] needs ${expected}.`);
      }
      await handle.write(encode(data, storedDtype(tensor, dtype)));
    }
  } finally {
    await handle.close();
  }
  return 8 + headerBytes.length + offset;
}

/**
 * Writes model weights into `dir` the way transformers' `save_pretrained` does: one
 * `model.safetensors`, or, when the total passes `maxShardBytes`, shards named
 * `model-00001-of-0000N.safetensors` plus `model.safetensors.index.json`
 * (`metadata.total_size`, `weight_map`). Stale weight files of the other layout are removed.
 */
export async function writeSafetensorsFolder(
  dir: string,
  tensors: readonly TensorSource[],
  options: { dtype?: SaveDtype; maxShardBytes?: number } = {},
): Promise<string[]> {
  const dtype = options.dtype ?? 'float32';
  const maxShardBytes = options.maxShardBytes ?? 5 * 1024 ** 3;
  await mkdir(dir, { recursive: true });
  const shards: TensorSource[][] = [[]];
  let current = 0;
  let total = 0;
  for (const tensor of tensors) {
    const size = byteSize(tensor, dtype);
    total += size;
    if (current > 0 && current + size > maxShardBytes) {
      shards.push([]);
      current = 0;
    }
    shards[shards.length - 1].push(tensor);
    current += size;
  }
  if (shards.length === 1) {
    await rm(join(dir, SAFETENSORS_INDEX_FILE), { force: true });
    await writeSafetensorsFile(join(dir, SAFETENSORS_SINGLE_FILE), tensors, { dtype });
    return [SAFETENSORS_SINGLE_FILE];
  }
  await rm(join(dir, SAFETENSORS_SINGLE_FILE), { force: true });
  const count = String(shards.length).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const names: string[] = [];
  for (const [index, shard] of shards.entries()) {
    const name = `model-${String(index + 1).padStart(5, '0')}-of-${count}.safetensors`;
    names.push(name);
    await writeSafetensorsFile(join(dir, name), shard, { dtype });
    for (const tensor of shard) weightMap[tensor.name] = name;
  }
  const index = { metadata: { total_size: total }, weight_map: weightMap };
  await writeFile(join(dir, SAFETENSORS_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return [...names, SAFETENSORS_INDEX_FILE];
}
