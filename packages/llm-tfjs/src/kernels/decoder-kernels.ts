import * as tf from '@tensorflow/tfjs';
import { expectFloat32, jsKernels } from './js-kernel';

/**
 * Fused RMSNorm and rotary embedding with their gradients, for the `wasm` and `cpu` backends
 * (registered through the tfjs kernel registry; other backends keep the composed ops of
 * `decoder.ts`, same function, same result). Autodiff of the composed RMSNorm runs about a dozen
 * elementwise and reduction kernels (square, mean, add, rsqrt, three broadcast products and their
 * gradients with the reductions over broadcast axes); RoPE's rotate-half runs a split, a negation,
 * a concat, two broadcast products and an add, and their gradients. Each fused kernel is one pass.
 */
export const RMS_NORM = 'LlmRmsNorm';
export const RMS_NORM_GRAD = 'LlmRmsNormGrad';
export const ROPE = 'LlmRope';

interface RmsNormAttrs {
  eps: number;
}

function rmsNormShapes(name: string, infos: readonly tf.TensorInfo[], inputNames: readonly string[]): { rows: number; size: number } {
  expectFloat32(name, infos, inputNames);
  const [x, weight] = infos;
  const size = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 1 || weight.shape[0] !== size) {
    throw new TypeError(`${name}: weight must be [${size}] (the last axis of x [${x.shape}]); got [${weight.shape}].`);
  }
  return { rows: tf.util.sizeFromShape(x.shape) / size, size };
}

/** `LlmRmsNorm`: x `[..., n]`, weight `[n]` → `y = weight · x · r` and `r = 1 / √(mean(x²) + eps)` per row `[rows]`. */
const rmsNormSpec = {
  kernelName: RMS_NORM,
  inputs: ['x', 'weight'],
  outputShapes: (infos: readonly tf.TensorInfo[]) => {
    const { rows } = rmsNormShapes(RMS_NORM, infos, ['x', 'weight']);
    return [infos[0].shape, [rows]];
  },
  run: ([x, weight]: readonly Float32Array[], [y, r]: readonly Float32Array[], _shapes: readonly number[][], { eps }: RmsNormAttrs) => {
    const size = weight.length;
    const rows = r.length;
    for (let row = 0; row < rows; row += 1) {
      const base = row * size;
      let squares = 0;
      for (let index = 0; index < size; index += 1) squares += x[base + index] * x[base + index];
      const scale = 1 / Math.sqrt(squares / size + eps);
      r[row] = scale;
      for (let index = 0; index < size; index += 1) y[base + index] = weight[index] * (x[base + index] * scale);
    }
  },
};

/**
 * `LlmRmsNormGrad`: x, weight, r and dy to `dx` and `dWeight`: with `g = dy · weight`,
 * `dx = r·g − x · r³ · mean(g · x)` and `dWeight = Σ_rows dy · x · r`.
 */
const rmsNormGradSpec = {
  kernelName: RMS_NORM_GRAD,
  inputs: ['x', 'weight', 'r', 'dy'],
  outputShapes: (infos: readonly tf.TensorInfo[]) => {
    rmsNormShapes(RMS_NORM_GRAD, infos, ['x', 'weight', 'r', 'dy']);
    return [infos[0].shape, infos[1].shape];
  },
  run: ([x, weight, r, dy]: readonly Float32Array[], [dx, dWeight]: readonly Float32Array[]) => {
    const size = weight.length;
    const rows = r.length;
    const accumulated = new Float64Array(size);
    for (let row = 0; row < rows; row += 1) {
      const base = row * size;
      const scale = r[row];
      let dot = 0;
      for (let index = 0; index < size; index += 1) {
        const xv = x[base + index];
        const dyv = dy[base + index];
        dot += dyv * weight[index] * xv;
        accumulated[index] += dyv * xv * scale;
      }
      const correction = (scale * scale * scale * dot) / size;
      for (let index = 0; index < size; index += 1) dx[base + index] = scale * dy[base + index] * weight[index] - x[base + index] * correction;
    }
    for (let index = 0; index < size; index += 1) dWeight[index] = accumulated[index];
  },
};

interface RopeAttrs {
  /** false: `y = x·cos + rotateHalf(x)·sin`; true: its gradient, dx from dy. */
  backward: boolean;
}

/**
 * `LlmRope`: x `[b, heads, s, d]` with cos and sin `[b or 1, 1, s, d]` → `x·cos + rotateHalf(x)·sin`
 * where `rotateHalf([x1, x2]) = [−x2, x1]`; with `backward`, the gradient of that map applied to
 * x (then dy): `[dy1·cos1 + dy2·sin2, dy2·cos2 − dy1·sin1]`.
 */
const ropeSpec = {
  kernelName: ROPE,
  inputs: ['x', 'cos', 'sin'],
  outputShapes: (infos: readonly tf.TensorInfo[]) => {
    expectFloat32(ROPE, infos, ['x', 'cos', 'sin']);
    const [x, cos, sin] = infos;
    const [batch, , length, dim] = x.shape;
    const fits = (table: tf.TensorInfo) => table.shape.length === 4 && (table.shape[0] === batch || table.shape[0] === 1) && table.shape[1] === 1 && table.shape[2] === length && table.shape[3] === dim;
    if (x.shape.length !== 4 || dim % 2 !== 0 || !fits(cos) || !fits(sin) || cos.shape[0] !== sin.shape[0]) {
      throw new TypeError(`${ROPE}: expects x [b, heads, s, d] (d even) and cos, sin [b or 1, 1, s, d]; got [${x.shape}], [${cos.shape}], [${sin.shape}].`);
    }
    return [x.shape];
  },
  run: ([x, cos, sin]: readonly Float32Array[], [y]: readonly Float32Array[], [shape]: readonly number[][], { backward }: RopeAttrs) => {
    const [batch, heads, length, dim] = shape;
    const half = dim / 2;
    const tableBatches = cos.length / (length * dim);
    for (let b = 0; b < batch; b += 1) {
      const tableBase = (tableBatches === 1 ? 0 : b) * length * dim;
      for (let head = 0; head < heads; head += 1) {
        for (let t = 0; t < length; t += 1) {
          const base = ((b * heads + head) * length + t) * dim;
          const table = tableBase + t * dim;
          for (let index = 0; index < half; index += 1) {
            const x1 = x[base + index];
            const x2 = x[base + half + index];
            const c1 = cos[table + index];
            const c2 = cos[table + half + index];
            const s1 = sin[table + index];
            const s2 = sin[table + half + index];
            if (backward) {
              y[base + index] = x1 * c1 + x2 * s2;
              y[base + half + index] = x2 * c2 - x1 * s1;
            } else {
              y[base + index] = x1 * c1 - x2 * s1;
              y[base + half + index] = x2 * c2 + x1 * s2;
            }
          }
        }
      }
    }
  },
};

/** The fused decoder kernels, for `registerTrainingKernels`. */
export const decoderKernels: readonly tf.KernelConfig[] = [
  ...jsKernels<RmsNormAttrs>(rmsNormSpec),
  ...jsKernels<Record<string, never>>(rmsNormGradSpec),
  ...jsKernels<RopeAttrs>(ropeSpec),
];

const has = (name: string) => Boolean(tf.getKernel(name, tf.getBackend()));

/** Whether the running backend has the fused RMSNorm kernels (wasm and cpu do). */
export function hasFusedRmsNorm(): boolean {
  return has(RMS_NORM) && has(RMS_NORM_GRAD);
}

/** Whether the running backend has the fused RoPE kernel (wasm and cpu do). */
export function hasFusedRope(): boolean {
  return has(ROPE);
}

/** RMSNorm over the last axis through the fused kernels, differentiable in x and weight. */
export function fusedRmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const forward = (input: tf.Tensor, scale: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, r] = tf.engine().runKernel(RMS_NORM, { x: input, weight: scale }, { eps } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
    save([input, scale, r]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedWeight, savedR] = saved;
        return tf.engine().runKernel(RMS_NORM_GRAD, { x: savedX, weight: savedWeight, r: savedR, dy }) as unknown as tf.Tensor[];
      },
    };
  };
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0])(x, weight);
}

/**
 * Rotary embedding `x·cos + rotateHalf(x)·sin` through the fused kernel, differentiable in x
 * (cos and sin are tables, not parameters: their gradient is reported as zero).
 */
export function fusedRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const forward = (input: tf.Tensor, cosTable: tf.Tensor, sinTable: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(ROPE, { x: input, cos: cosTable, sin: sinTable }, { backward: false } as unknown as tf.NamedAttrMap) as tf.Tensor;
    save([cosTable, sinTable]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedCos, savedSin] = saved;
        const dx = tf.engine().runKernel(ROPE, { x: dy, cos: savedCos, sin: savedSin }, { backward: true } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [dx, tf.zerosLike(savedCos), tf.zerosLike(savedSin)];
      },
    };
  };
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0])(x, cos, sin) as tf.Tensor4D;
}
