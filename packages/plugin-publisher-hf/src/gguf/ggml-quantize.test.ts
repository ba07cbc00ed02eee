import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, float16BitsToNumber, float32ToFloat16Bits, quantizeQ8_0 } from './ggml-quantize';
import { GgmlType } from './gguf-constants';
import { permuteRows } from './gguf-architecture';

describe('float32ToFloat16Bits', () => {
  it('encodes exact values, limits and specials', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
  });

  it('rounds ties to even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // subnormal tie 1.5 → 2
  });

  it('picks the nearest half for random values (checked against both neighbours)', () => {
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let index = 0; index < 5000; index += 1) {
      const value = Math.fround((random() - 0.5) * 2 ** Math.floor(random() * 40 - 28));
      const bits = float32ToFloat16Bits(value);
      const chosen = float16BitsToNumber(bits);
      const error = Math.abs(chosen - value);
      for (const neighbour of [bits + 1, bits - 1]) {
        if ((neighbour & 0x7c00) === 0x7c00 || neighbour < 0) continue;
        expect(error).toBeLessThanOrEqual(Math.abs(float16BitsToNumber(neighbour & 0xffff) - value));
      }
    }
  });
});

describe('quantizeQ8_0', () => {
  it('stores max|x|/127 as the f16 scale and rounds half away from zero', () => {
    const values = new Float32Array(32);
    values[0] = 127;
    values[1] = -127;
    values[2] = 2.5;
    values[3] = -2.5;
    values[4] = 0.4;
    const bytes = quantizeQ8_0(values);
    expect(bytes.length).toBe(34);
    const view = new DataView(bytes.buffer);
    expect(float16BitsToNumber(view.getUint16(0, true))).toBe(1);
    expect([0, 1, 2, 3, 4].map((index) => view.getInt8(2 + index))).toEqual([127, -127, 3, -3, 0]);
  });

  it('encodes an all-zero block with scale 0', () => {
    expect([...quantizeQ8_0(new Float32Array(32))]).toEqual(new Array(34).fill(0));
  });

  it('round-trips within half a step (plus the f16 rounding of the scale) per block', () => {
    const values = Float32Array.from({ length: 256 }, (_, index) => Math.sin(index * 0.37) * (1 + (index % 7)));
    const decoded = decodeTensor(quantizeQ8_0(values), GgmlType.Q8_0, values.length);
    for (let block = 0; block < 8; block += 1) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const step = Math.max(...slice.map(Math.abs)) / 127;
      for (let index = 0; index < 32; index += 1) {
        expect(Math.abs(decoded[block * 32 + index] - slice[index])).toBeLessThanOrEqual(step * (0.5 + 127 * 2 ** -11));
      }
    }
  });

  it('refuses a length that is not whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32/);
  });

  it('f32 and f16 encodings decode back', () => {
    const values = Float32Array.from([0, 1.5, -3.25, 1e-3]);
    expect([...decodeTensor(encodeTensor(values, GgmlType.F32), GgmlType.F32, 4)]).toEqual([...values]);
    const half = decodeTensor(encodeTensor(values, GgmlType.F16), GgmlType.F16, 4);
    expect(half[1]).toBe(1.5);
    expect(Math.abs(half[3] - 1e-3)).toBeLessThan(1e-6);
  });
});

describe('permuteRows', () => {
  it('regroups each head as llama.cpp LlamaModel.permute does', () => {
    // 2 heads x 4 rows (head dim 4 → halves of 2), 1 column: per head [a0 a1 b0 b1] → [a0 b0 a1 b1].
    const rows = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
    expect([...permuteRows(rows, 8, 1, 2)]).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
    const matrix = Float32Array.from({ length: 8 * 3 }, (_, index) => index);
    const permuted = permuteRows(matrix, 8, 3, 2);
    expect([...permuted.subarray(3, 6)]).toEqual([6, 7, 8]); // row 1 ← row 2
  });
});
