import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LlmError } from '../errors/llm-error';
import { bf16ToFloat32, f16ToFloat32, float32ToBf16, float32ToF16 } from './dtype-conversion';
import { SafetensorsFile } from './safetensors-file';
import { SafetensorsFolder } from './safetensors-folder';
import { writeSafetensorsFile, writeSafetensorsFolder } from './write-safetensors';

const dir = mkdtempSync(join(tmpdir(), 'llm-tfjs-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dtype conversion', () => {
  it('rounds float32 to bfloat16 to nearest even, as PyTorch does', () => {
    const values = new Float32Array([1, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -7, 3.14159, 65504, 1e-40, Infinity]);
    const bits = float32ToBf16(values);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1); 1 + 3·2^-8 ties up to 1 + 2^-6.
    expect(Array.from(bf16ToFloat32(bits))).toEqual([1, -2.5, 1, 1 + 2 ** -6, 1 + 2 ** -7, 3.140625, 65536, 2 ** -133, Infinity]);
    expect(Number.isNaN(bf16ToFloat32(float32ToBf16(new Float32Array([NaN])))[0])).toBe(true);
  });

  it('converts float16 both ways, subnormals, overflow and rounding included', () => {
    const values = new Float32Array([0, -0, 1, -1.5, 65504, 65520, 2 ** -24, 2 ** -14, 0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    const back = Array.from(f16ToFloat32(float32ToF16(values)));
    expect(back.slice(0, 5)).toEqual([0, -0, 1, -1.5, 65504]);
    expect(back[5]).toBe(Infinity); // 65520 rounds up past the largest half
    expect(back[6]).toBe(2 ** -24);
    expect(back[7]).toBe(2 ** -14);
    expect(back[8]).toBe(0.0999755859375);
    expect(back[9]).toBe(1); // tie to even
    expect(back[10]).toBe(1 + 2 ** -9);
  });
});

describe('safetensors files', () => {
  const tensors = [
    { name: 'a', shape: [2, 3], read: async () => new Float32Array([1, 2, 3, 4, 5, 6.5]) },
    { name: 'b.bias', shape: [3], read: async () => new Float32Array([-1, 0.25, 1e-3]) },
    { name: 'ids', shape: [2], kind: 'int32' as const, read: async () => new Int32Array([7, -9]) },
  ];

  it.each(['float32', 'bfloat16', 'float16'] as const)('writes and reads back %s with a format=pt header', async (dtype) => {
    const path = join(dir, `single-${dtype}.safetensors`);
    await writeSafetensorsFile(path, tensors, { dtype });
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as Record<string, { dtype: string }> & { __metadata__: { format: string } };
    expect(header.__metadata__.format).toBe('pt');
    expect(header.a.dtype).toBe({ float32: 'F32', bfloat16: 'BF16', float16: 'F16' }[dtype]);
    expect(header.ids.dtype).toBe('I32');
    const file = await SafetensorsFile.open(path);
    expect(file.names()).toEqual(['a', 'b.bias', 'ids']);
    const a = await file.read('a');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
    const bias = await file.read('b.bias');
    const expected = dtype === 'float32' ? Math.fround(1e-3) : dtype === 'bfloat16' ? bf16ToFloat32(float32ToBf16(new Float32Array([1e-3])))[0] : f16ToFloat32(float32ToF16(new Float32Array([1e-3])))[0];
    expect(bias.data[2]).toBe(expected);
    expect(Array.from((await file.read('ids')).data)).toEqual([7, -9]);
    await file.close();
  });

  it('shards past maxShardBytes with a transformers index, and reads shards as one folder', async () => {
    const sharded = join(dir, 'sharded');
    const written = await writeSafetensorsFolder(sharded, tensors, { maxShardBytes: 24 });
    expect(written).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    const index = JSON.parse(readFileSync(join(sharded, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: Record<string, string> };
    expect(index.metadata.total_size).toBe(24 + 12 + 8);
    expect(index.weight_map).toEqual({ a: written[0], 'b.bias': written[1], ids: written[1] });
    const folder = await SafetensorsFolder.open(sharded);
    expect(folder.names().sort()).toEqual(['a', 'b.bias', 'ids']);
    expect(Array.from((await folder.read('b.bias')).data)).toEqual(Array.from(new Float32Array([-1, 0.25, 1e-3])));
    await folder.close();
    // Re-saving unsharded removes the stale index.
    await writeSafetensorsFolder(sharded, tensors);
    expect(existsSync(join(sharded, 'model.safetensors.index.json'))).toBe(false);
    expect(existsSync(join(sharded, 'model.safetensors'))).toBe(true);
  });

  it('rejects a truncated or foreign file with a message naming it', async () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, Buffer.from([255, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]));
    await expect(SafetensorsFile.open(bad)).rejects.toThrow(/bad\.safetensors is not a safetensors file/);
    await expect(SafetensorsFolder.open(dir + '/nowhere')).rejects.toBeInstanceOf(LlmError);
  });
});
