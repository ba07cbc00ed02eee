import type { RopeConfig } from '../config/model-config';

const f32 = Math.fround;

/**
 * Inverse frequencies of rotary embeddings, computed in float32 the way transformers does
 * (`1 / theta ** (arange(0, dim, 2) / dim)`), with linear or Llama-3 scaling applied.
 */
export function ropeInverseFrequencies(rope: RopeConfig, headDim: number): Float32Array {
  const half = headDim / 2;
  const inverse = new Float32Array(half);
  for (let index = 0; index < half; index += 1) {
    const exponent = f32(f32(2 * index) / headDim);
    inverse[index] = f32(1 / f32(rope.theta ** exponent));
  }
  if (rope.type === 'linear') {
    const factor = rope.factor ?? 1;
    for (let index = 0; index < half; index += 1) inverse[index] = f32(inverse[index] / factor);
  } else if (rope.type === 'llama3') {
    const factor = rope.factor ?? 8;
    const low = rope.lowFreqFactor ?? 1;
    const high = rope.highFreqFactor ?? 4;
    const oldContext = rope.originalMaxPositionEmbeddings ?? 8192;
    const lowWavelength = oldContext / low;
    const highWavelength = oldContext / high;
    for (let index = 0; index < half; index += 1) {
      const frequency = inverse[index];
      const wavelength = f32((2 * Math.PI) / frequency);
      let scaled = wavelength > lowWavelength ? f32(frequency / factor) : frequency;
      const isMedium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
      if (isMedium) {
        const smooth = f32((f32(oldContext / wavelength) - low) / (high - low));
        scaled = f32(f32(f32((1 - smooth) * scaled) / factor) + f32(smooth * scaled));
      }
      inverse[index] = scaled;
    }
  }
  return inverse;
}

/**
 * cos and sin tables for the given positions: each `[positions.length, headDim]`, laid out as
 * transformers' `cat(freqs, freqs)` so `rotate_half` applies.
 */
export function ropeTables(inverse: Float32Array, positions: ArrayLike<number>): { cos: Float32Array; sin: Float32Array } {
  const half = inverse.length;
  const headDim = half * 2;
  const cos = new Float32Array(positions.length * headDim);
  const sin = new Float32Array(positions.length * headDim);
  for (let row = 0; row < positions.length; row += 1) {
    const position = positions[row];
    for (let index = 0; index < half; index += 1) {
      const angle = f32(inverse[index] * position);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[row * headDim + index] = c;
      cos[row * headDim + half + index] = c;
      sin[row * headDim + index] = s;
      sin[row * headDim + half + index] = s;
    }
  }
  return { cos, sin };
}
