import * as tf from '@tensorflow/tfjs';

/**
 * Fused token cross-entropy for the `wasm` and `cpu` backends, registered through the tfjs
 * kernel registry:
 *
 * - `LlmCrossEntropy`: logits `[n, vocab]` float32 and labels `[n]` int32 (negative = no
 *   target) to `[loss, exps, scale]`: `loss[i] = logSumExp(logits[i]) - logits[i, labels[i]]`
 *   `[n]`, `exps[i, j] = exp(logits[i, j] - max_j logits[i])` `[n, vocab]` and
 *   `scale[i] = 1 / Σ_j exps[i, j]` `[n]`, so that `exps[i] · scale[i]` is the softmax (on wasm,
 *   exps is the softmax itself, from tfjs-wasm's SIMD Softmax kernel, and scale 1); rows without
 *   a target get loss 0 and scale 0 (their exps are not used).
 * - `LlmCrossEntropyGrad`: exps, scale, labels and the upstream gradient `dy` `[n]` to
 *   `dLogits[i, j] = dy[i] · (exps[i, j] · scale[i] - [j = labels[i]])`, 0 on rows without a
 *   target.
 *
 * The exponentials are computed once, in the forward pass (a max pass and an exp-and-sum pass over
 * the logits); the gradient is one multiply pass. The logits themselves are not kept for the
 * backward pass (the exps take their place), so memory stays that of one `[n, vocab]` tensor.
 * This replaces the log-softmax, its exponential, the gather into the flattened log-probabilities
 * and the scatter of its gradient that autodiff of the composed ops runs.
 */
export const CROSS_ENTROPY = 'LlmCrossEntropy';
export const CROSS_ENTROPY_GRAD = 'LlmCrossEntropyGrad';

function rowsForward(logits: Float32Array, labels: Int32Array, vocab: number, loss: Float32Array, exps: Float32Array, scale: Float32Array): void {
  const rows = labels.length;
  for (let row = 0; row < rows; row += 1) {
    const label = labels[row];
    const base = row * vocab;
    if (label < 0) {
      loss[row] = 0;
      scale[row] = 0;
      exps.fill(0, base, base + vocab);
      continue;
    }
    if (label >= vocab) throw new RangeError(`${CROSS_ENTROPY}: label ${label} at row ${row} is outside the vocabulary (size ${vocab}).`);
    let max = -Infinity;
    for (let column = 0; column < vocab; column += 1) if (logits[base + column] > max) max = logits[base + column];
    let sum = 0;
    for (let column = 0; column < vocab; column += 1) {
      const e = Math.exp(logits[base + column] - max);
      exps[base + column] = e;
      sum += e;
    }
    scale[row] = 1 / sum;
    loss[row] = max + Math.log(sum) - logits[base + label];
  }
}

function rowsBackward(exps: Float32Array, scale: Float32Array, labels: Int32Array, dy: Float32Array, vocab: number, out: Float32Array): void {
  const rows = labels.length;
  for (let row = 0; row < rows; row += 1) {
    const label = labels[row];
    const base = row * vocab;
    if (label < 0) {
      out.fill(0, base, base + vocab);
      continue;
    }
    const factor = dy[row] * scale[row];
    for (let column = 0; column < vocab; column += 1) out[base + column] = exps[base + column] * factor;
    out[base + label] -= dy[row];
  }
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

function check(logits: tf.TensorInfo, labels: tf.TensorInfo): { rows: number; vocab: number } {
  if (logits.shape.length !== 2 || labels.shape.length !== 1 || labels.shape[0] !== logits.shape[0] || logits.dtype !== 'float32' || labels.dtype !== 'int32') {
    throw new TypeError(`${CROSS_ENTROPY}: expects float32 logits [n, vocab] and int32 labels [n]; got ${logits.dtype} [${logits.shape}] and ${labels.dtype} [${labels.shape}].`);
  }
  return { rows: logits.shape[0], vocab: logits.shape[1] };
}

interface GradInputs {
  exps: tf.TensorInfo;
  scale: tf.TensorInfo;
  labels: tf.TensorInfo;
  dy: tf.TensorInfo;
}

/**
 * Per-row loss from softmax probabilities `p` (scale 1): `−log p[label]`, or the exact
 * log-sum-exp from the logits for rows whose label probability underflowed float32.
 */
function rowsLossFromSoftmax(logits: Float32Array, p: Float32Array, labels: Int32Array, vocab: number, loss: Float32Array, scale: Float32Array): void {
  for (let row = 0; row < labels.length; row += 1) {
    const label = labels[row];
    if (label < 0) {
      loss[row] = 0;
      scale[row] = 0;
      continue;
    }
    if (label >= vocab) throw new RangeError(`${CROSS_ENTROPY}: label ${label} at row ${row} is outside the vocabulary (size ${vocab}).`);
    scale[row] = 1;
    const base = row * vocab;
    const probability = p[base + label];
    if (probability > 1e-30) {
      loss[row] = -Math.log(probability);
      continue;
    }
    let max = -Infinity;
    for (let column = 0; column < vocab; column += 1) if (logits[base + column] > max) max = logits[base + column];
    let sum = 0;
    for (let column = 0; column < vocab; column += 1) sum += Math.exp(logits[base + column] - max);
    loss[row] = max + Math.log(sum) - logits[base + label];
  }
}

const wasmForward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
    const { rows, vocab } = check(logits, labels);
    const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
    // The exponentials through tfjs-wasm's own Softmax (XNNPACK, SIMD): exps = softmax, scale 1.
    const softmax = tf.getKernel('Softmax', 'wasm');
    if (softmax && rows > 0) {
      const exps = softmax.kernelFunc({ inputs: { logits }, attrs: { dim: 1 }, backend }) as tf.TensorInfo;
      const loss = wasm.makeOutput([rows], 'float32');
      const scale = wasm.makeOutput([rows], 'float32');
      // Views after the allocations: growing the wasm memory detaches earlier ones.
      rowsLossFromSoftmax(view(logits), view(exps), wasm.typedArrayFromHeap(labels) as Int32Array, vocab, view(loss), view(scale));
      return [loss, exps, scale];
    }
    const loss = wasm.makeOutput([rows], 'float32');
    const exps = wasm.makeOutput([rows, vocab], 'float32');
    const scale = wasm.makeOutput([rows], 'float32');
    rowsForward(view(logits), wasm.typedArrayFromHeap(labels) as Int32Array, vocab, view(loss), view(exps), view(scale));
    return [loss, exps, scale];
  },
};

const wasmBackward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { exps, scale, labels, dy } = inputs as unknown as GradInputs;
    const { vocab } = check(exps, labels);
    const out = wasm.makeOutput(exps.shape, 'float32');
    const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info) as Float32Array;
    rowsBackward(view(exps), view(scale), wasm.typedArrayFromHeap(labels) as Int32Array, view(dy), vocab, view(out));
    return out;
  },
};

const cpuForward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
    const { rows, vocab } = check(logits, labels);
    const loss = new Float32Array(rows);
    const exps = new Float32Array(rows * vocab);
    const scale = new Float32Array(rows);
    rowsForward(cpu.readSync(logits.dataId) as Float32Array, cpu.readSync(labels.dataId) as Int32Array, vocab, loss, exps, scale);
    return [cpu.makeTensorInfo([rows], 'float32', loss), cpu.makeTensorInfo([rows, vocab], 'float32', exps), cpu.makeTensorInfo([rows], 'float32', scale)];
  },
};

const cpuBackward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const { exps, scale, labels, dy } = inputs as unknown as GradInputs;
    const { vocab } = check(exps, labels);
    const out = new Float32Array(exps.shape[0] * vocab);
    const read = (info: tf.TensorInfo) => cpu.readSync(info.dataId) as Float32Array;
    rowsBackward(read(exps), read(scale), cpu.readSync(labels.dataId) as Int32Array, read(dy), vocab, out);
    return cpu.makeTensorInfo(exps.shape, 'float32', out);
  },
};

/** The fused cross-entropy kernels, for `registerTrainingKernels`. */
export const crossEntropyKernels: readonly tf.KernelConfig[] = [wasmForward, wasmBackward, cpuForward, cpuBackward];

/** Whether the running backend has the fused kernels (wasm and cpu do; others use composed ops). */
export function hasFusedCrossEntropy(): boolean {
  const backend = tf.getBackend();
  return Boolean(tf.getKernel(CROSS_ENTROPY, backend) && tf.getKernel(CROSS_ENTROPY_GRAD, backend));
}

/**
 * Per-row token cross-entropy `[n]` of logits `[n, vocab]` against labels `[n]` (negative = no
 * target, loss 0), differentiable in the logits, through the fused kernels.
 */
export function fusedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const forward = (x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, exps, scale] = tf.engine().runKernel(CROSS_ENTROPY, { logits: x, labels: y }) as unknown as tf.Tensor[];
    save([exps, scale, y]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedExps, savedScale, savedLabels] = saved;
        const dLogits = tf.engine().runKernel(CROSS_ENTROPY_GRAD, { exps: savedExps, scale: savedScale, labels: savedLabels, dy }) as unknown as tf.Tensor;
        return [dLogits, tf.zerosLike(savedLabels)];
      },
    };
  };
  const run = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(logits, labels) as tf.Tensor1D;
}
