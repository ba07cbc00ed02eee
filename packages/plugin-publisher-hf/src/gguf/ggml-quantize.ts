import { GgmlType, Q8_0_BLOCK_BYTES, Q8_0_BLOCK_ELEMENTS, ggmlTensorBytes } from './gguf-constants';

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/**
 * IEEE binary16 bits of a number, rounded to nearest with ties to even (what numpy's
 * `astype(np.float16)` and ggml's `GGML_FP32_TO_FP16` do). The input is first rounded to float32.
 */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit into place.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (remainder > midpoint || (remainder === midpoint && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches infinity at the top).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The number an IEEE binary16 bit pattern stands for. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** gguf-py's `np_roundf`: round half away from zero, as ggml's `roundf`. */
function roundHalfAwayFromZero(value: number): number {
  const magnitude = Math.abs(value);
  const floored = Math.floor(magnitude);
  const rounded = floored + Math.floor(2 * (magnitude - floored));
  return value < 0 ? -rounded : rounded;
}

/**
 * Q8_0 blocks of `values` (row-major, rows of a multiple of 32): per block of 32, the f16 scale
 * `d = max|x| / 127` and `round(x / d)` as int8, computed in float32 exactly as gguf-py's
 * `quantize_blocks_q8_0` does, so files are byte-identical to llama.cpp's converter.
 */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK_ELEMENTS !== 0) {
    throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK_ELEMENTS} values, got ${values.length}.`);
  }
  const blocks = values.length / Q8_0_BLOCK_ELEMENTS;
  const output = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
  const view = new DataView(output.buffer);
  for (let block = 0; block < blocks; block += 1) {
    const start = block * Q8_0_BLOCK_ELEMENTS;
    let maximum = 0;
    for (let index = 0; index < Q8_0_BLOCK_ELEMENTS; index += 1) {
      const magnitude = Math.abs(values[start + index]);
      if (magnitude > maximum) maximum = magnitude;
    }
    const scale = Math.fround(maximum / 127);
    const inverse = scale === 0 ? 0 : Math.fround(1 / scale);
    const offset = block * Q8_0_BLOCK_BYTES;
    view.setUint16(offset, float32ToFloat16Bits(scale), true);
    for (let index = 0; index < Q8_0_BLOCK_ELEMENTS; index += 1) {
      view.setInt8(offset + 2 + index, roundHalfAwayFromZero(Math.fround(values[start + index] * inverse)));
    }
  }
  return output;
}

/** Encodes float32 values as the bytes of a ggml tensor of `type` (little-endian). */
export function encodeTensor(values: Float32Array, type: GgmlType): Uint8Array {
  switch (type) {
    case GgmlType.F32: {
      const output = new Uint8Array(ggmlTensorBytes(type, values.length));
      const view = new DataView(output.buffer);
      for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index], true);
      return output;
    }
    case GgmlType.F16: {
      const output = new Uint8Array(ggmlTensorBytes(type, values.length));
      const view = new DataView(output.buffer);
      for (let index = 0; index < values.length; index += 1) view.setUint16(index * 2, float32ToFloat16Bits(values[index]), true);
      return output;
    }
    case GgmlType.Q8_0:
      return quantizeQ8_0(values);
  }
}

/** Decodes the bytes of a ggml tensor back to float32 (used to verify exports). */
export function decodeTensor(bytes: Uint8Array, type: GgmlType, elements: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const output = new Float32Array(elements);
  switch (type) {
    case GgmlType.F32:
      for (let index = 0; index < elements; index += 1) output[index] = view.getFloat32(index * 4, true);
      return output;
    case GgmlType.F16:
      for (let index = 0; index < elements; index += 1) output[index] = float16BitsToNumber(view.getUint16(index * 2, true));
      return output;
    case GgmlType.Q8_0:
      for (let block = 0; block < elements / Q8_0_BLOCK_ELEMENTS; block += 1) {
        const offset = block * Q8_0_BLOCK_BYTES;
        const scale = float16BitsToNumber(view.getUint16(offset, true));
        for (let index = 0; index < Q8_0_BLOCK_ELEMENTS; index += 1) {
          output[block * Q8_0_BLOCK_ELEMENTS + index] = scale * view.getInt8(offset + 2 + index);
        }
      }
      return output;
  }
}
