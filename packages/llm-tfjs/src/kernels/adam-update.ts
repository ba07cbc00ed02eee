import * as tf from '@tensorflow/tfjs';
import { simdAdamFor } from './wasm-simd-adam';

/**
 * Fused Adam/AdamW update for the `wasm` and `cpu` backends, registered through the tfjs kernel
 * registry as `LlmAdamUpdate`: parameter, first moment, second moment and gradient (float32, one
 * shape) to the new parameter and moments, in one pass over the four arrays. The composed update
 * runs about a dozen elementwise kernels per parameter, each a pass over memory with its own
 * output tensor (and, on wasm, single-threaded whatever the XNNPACK thread count).
 *
 * The update is PyTorch's (`torch.optim.AdamW`; `Adam` with `decay` 1), for step t with
 * `c1 = 1 − β1ᵗ`, `c2 = 1 − β2ᵗ`:
 *
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     p ← p·decay − (lr / c1) · m / (√v / √c2 + ε)
 *
 * which equals `tf.train.adam`'s `p − lr·m̂ / (√v̂ + ε)` with the bias-corrected moments.
 */
export const ADAM_UPDATE = 'LlmAdamUpdate';

/** The scalars of one update. */
export interface AdamUpdateScalars {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** `lr / (1 − β1ᵗ)`. */
  stepSize: number;
  /** `√(1 − β2ᵗ)`. */
  sqrtCorrection2: number;
  /** Decoupled weight decay factor `1 − lr·weightDecay` (1 = none). */
  decay: number;
}

function updateArrays(
  parameter: Float32Array, first: Float32Array, second: Float32Array, gradient: Float32Array,
  outParameter: Float32Array, outFirst: Float32Array, outSecond: Float32Array, scalars: AdamUpdateScalars,
): void {
  const { beta1, beta2, epsilon, stepSize, sqrtCorrection2, decay } = scalars;
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const inverseSqrtCorrection2 = 1 / sqrtCorrection2;
  const size = parameter.length;
  for (let index = 0; index < size; index += 1) {
    const g = gradient[index];
    const m = beta1 * first[index] + oneMinusBeta1 * g;
    const v = beta2 * second[index] + oneMinusBeta2 * g * g;
    outFirst[index] = m;
    outSecond[index] = v;
    outParameter[index] = parameter[index] * decay - (stepSize * m) / (Math.sqrt(v) * inverseSqrtCorrection2 + epsilon);
  }
}

interface Inputs {
  parameter: tf.TensorInfo;
  first: tf.TensorInfo;
  second: tf.TensorInfo;
  gradient: tf.TensorInfo;
}

function check({ parameter, first, second, gradient }: Inputs): void {
  const size = tf.util.sizeFromShape(parameter.shape);
  for (const [name, info] of [['parameter', parameter], ['first moment', first], ['second moment', second], ['gradient', gradient]] as const) {
    if (info.dtype !== 'float32' || tf.util.sizeFromShape(info.shape) !== size) {
      throw new TypeError(`${ADAM_UPDATE}: the ${name} must be float32 with ${size} elements like the parameter [${parameter.shape}]; got ${info.dtype} [${info.shape}].`);
    }
  }
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  getMemoryOffset(dataId: tf.DataId): number;
  wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

const wasmKernel: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const tensors = inputs as unknown as Inputs;
    check(tensors);
    const shape = tensors.parameter.shape;
    const outputs = [wasm.makeOutput(shape, 'float32'), wasm.makeOutput(shape, 'float32'), wasm.makeOutput(shape, 'float32')];
    const scalars = attrs as unknown as AdamUpdateScalars;
    const all = [tensors.parameter, tensors.first, tensors.second, tensors.gradient, ...outputs];
    // Four lanes at a time in WebAssembly SIMD on the heap where the runtime allows; the rest
    // (fewer than 4 elements, or everything without SIMD) in JavaScript.
    const simd = simdAdamFor(wasm.wasm?.wasmMemory ?? wasm.wasm?.asm?.memory);
    const size = tf.util.sizeFromShape(shape);
    const done = simd ? size - (size % 4) : 0;
    if (simd && done > 0) {
      const { beta1, beta2, epsilon, stepSize, sqrtCorrection2, decay } = scalars;
      simd(...all.map((info) => wasm.getMemoryOffset(info.dataId)), done, beta1, beta2, epsilon, stepSize, 1 / sqrtCorrection2, decay);
    }
    if (done < size) {
      // Views after the allocations: growing the wasm memory detaches earlier ones.
      const [p, m, v, g, outP, outM, outV] = all.map((info) => (wasm.typedArrayFromHeap(info) as Float32Array).subarray(done));
      updateArrays(p, m, v, g, outP, outM, outV, scalars);
    }
    return outputs;
  },
};

const cpuKernel: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'cpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const tensors = inputs as unknown as Inputs;
    check(tensors);
    const shape = tensors.parameter.shape;
    const size = tf.util.sizeFromShape(shape);
    const outputs = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
    const read = (info: tf.TensorInfo) => cpu.readSync(info.dataId) as Float32Array;
    updateArrays(
      read(tensors.parameter), read(tensors.first), read(tensors.second), read(tensors.gradient),
      outputs[0], outputs[1], outputs[2], attrs as unknown as AdamUpdateScalars,
    );
    return outputs.map((values) => cpu.makeTensorInfo(shape, 'float32', values));
  },
};

/** The fused Adam kernels, for `registerTrainingKernels`. */
export const adamUpdateKernels: readonly tf.KernelConfig[] = [wasmKernel, cpuKernel];

/** Options of `adamUpdate`. */
export interface AdamUpdateOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The update's step number t (1 for the first update). */
  step: number;
  /** Decoupled (AdamW) weight decay; 0 = Adam. */
  weightDecay?: number;
}

/**
 * One Adam/AdamW update of `parameter` (the formula above): returns the new parameter, first and
 * second moment as new tensors (the caller assigns and disposes). Fused on backends that have
 * `LlmAdamUpdate` (wasm, cpu); composed tfjs ops on the others, same formula.
 */
export function adamUpdate(parameter: tf.Tensor, first: tf.Tensor, second: tf.Tensor, gradient: tf.Tensor, options: AdamUpdateOptions): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const { learningRate, beta1, beta2, epsilon, step } = options;
  const scalars: AdamUpdateScalars = {
    beta1, beta2, epsilon,
    stepSize: learningRate / (1 - beta1 ** step),
    sqrtCorrection2: Math.sqrt(1 - beta2 ** step),
    decay: 1 - learningRate * (options.weightDecay ?? 0),
  };
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend())) {
    const [next, nextFirst, nextSecond] = tf.engine().runKernel(ADAM_UPDATE, { parameter, first, second, gradient }, scalars as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
    return [next, nextFirst, nextSecond];
  }
  return composedAdamUpdate(parameter, first, second, gradient, scalars);
}

/** `adamUpdate` from composed tfjs ops (any backend). */
export function composedAdamUpdate(parameter: tf.Tensor, first: tf.Tensor, second: tf.Tensor, gradient: tf.Tensor, scalars: AdamUpdateScalars): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const { beta1, beta2, epsilon, stepSize, sqrtCorrection2, decay } = scalars;
    const nextFirst = tf.add(tf.mul(first, beta1), tf.mul(gradient, 1 - beta1));
    const nextSecond = tf.add(tf.mul(second, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    const denominator = tf.add(tf.div(tf.sqrt(nextSecond), sqrtCorrection2), epsilon);
    const decayed = decay !== 1 ? tf.mul(parameter, decay) : parameter;
    const next = tf.sub(decayed, tf.mul(tf.div(nextFirst, denominator), stepSize));
    return [next, nextFirst, nextSecond];
  });
}
