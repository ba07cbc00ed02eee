/** Storage dtypes this package reads and writes (safetensors spellings). */
export type SafetensorsDtype = 'F32' | 'BF16' | 'F16' | 'I32' | 'I64' | 'F64';

/** Bytes per element of each storage dtype. */
export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F32: 4,
  BF16: 2,
  F16: 2,
  I32: 4,
  I64: 8,
  F64: 8,
};

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 bits (upper half of an IEEE float32) to float32, written into `out`. */
export function bf16ToFloat32(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let index = 0; index < bits.length; index += 1) outBits[index] = bits[index] << 16;
  return out;
}

/** float32 to bfloat16 bits, rounding to nearest even as PyTorch does (NaN stays NaN). */
export function float32ToBf16(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let index = 0; index < values.length; index += 1) {
    const bits = inBits[index];
    if ((bits & 0x7fffffff) > 0x7f800000) {
      out[index] = (bits >>> 16) | 0x40;
      continue;
    }
    const rounding = 0x7fff + ((bits >>> 16) & 1);
    out[index] = ((bits + rounding) >>> 16) & 0xffff;
  }
  return out;
}

/** IEEE half-precision bits to float32, written into `out`. */
export function f16ToFloat32(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  for (let index = 0; index < bits.length; index += 1) {
    const half = bits[index];
    const sign = half & 0x8000 ? -1 : 1;
    const exponent = (half >> 10) & 0x1f;
    const fraction = half & 0x3ff;
    if (exponent === 0) out[index] = sign * fraction * 2 ** -24;
    else if (exponent === 31) out[index] = fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[index] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** float32 to IEEE half-precision bits, round to nearest even, overflow to infinity. */
export function float32ToF16(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  for (let index = 0; index < values.length; index += 1) {
    scratch.setFloat32(0, values[index]);
    const bits = scratch.getUint32(0);
    const sign = (bits >>> 16) & 0x8000;
    const exponent = (bits >>> 23) & 0xff;
    let mantissa = bits & 0x7fffff;
    if (exponent === 0xff) {
      out[index] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    let halfExponent = exponent - 127 + 15;
    if (halfExponent >= 31) {
      out[index] = sign | 0x7c00;
      continue;
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        out[index] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - halfExponent;
      const halfMantissa = mantissa >>> shift;
      const remainder = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      let rounded = halfMantissa;
      if (remainder > halfway || (remainder === halfway && (halfMantissa & 1))) rounded += 1;
      out[index] = sign | rounded;
      continue;
    }
    let halfMantissa = mantissa >>> 13;
    const remainder = mantissa & 0x1fff;
    if (remainder > 0x1000 || (remainder === 0x1000 && (halfMantissa & 1))) {
      halfMantissa += 1;
      if (halfMantissa === 0x400) {
        halfMantissa = 0;
        halfExponent += 1;
        if (halfExponent >= 31) {
          out[index] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[index] = sign | (halfExponent << 10) | halfMantissa;
  }
  return out;
}
