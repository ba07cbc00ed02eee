import * as tf from '@tensorflow/tfjs';

/**
 * Fused token cross-entropy for the `wasm` and `cpu` backends, registered through the tfjs
 * kernel registry:
 *
 * - `LlmCrossEntropy`: logits `[n, vocab]` float32 and labels `[n]` int32 (negative = no
 *   target) to `[loss, logSumExp]`, each `[n]` float32; `loss[i] = logSumExp(logits[i]) -
 *   logits[i, labels[i]]`, 0 where the label is negative.
 * - `LlmCrossEntropyGrad`: logits, labels, logSumExp and the upstream gradient `dy` `[n]` to
 *   `dLogits[i, j] = dy[i] · (exp(logits[i, j] - logSumExp[i]) - [j = labels[i]])`, 0 on rows
 *   without a target.
 *
 * One pass over the logits for the loss (max, then sum of exponentials, in float64) and one for
 * the gradient, instead of the log-softmax, its exponential, the gather into the flattened
 * log-probabilities and the scatter of its gradient that autodiff of the composed ops runs.
 */
export const CROSS_ENTROPY = 'LlmCrossEntropy';
export const CROSS_ENTROPY_GRAD = 'LlmCrossEntropyGrad';

function rowsForward(logits: Float32Array, labels: Int32Array, vocab: number, loss: Float32Array, logSumExp: Float32Array): void {
  const rows = labels.length;
  for (let row = 0; row < rows; row += 1) {
    const label = labels[row];
    if (label < 0) {
      loss[row] = 0;
      logSumExp[row] = 0;
      continue;
    }
    if (label >= vocab) throw new RangeError(`${CROSS_ENTROPY}: label ${label} at row ${row} is outside the vocabulary (size ${vocab}).`);
    const base = row * vocab;
    let max = -Infinity;
    for (let column = 0; column < vocab; column += 1) if (logits[base + column] > max) max = logits[base + column];
    let sum = 0;
    for (let column = 0; column < vocab; column += 1) sum += Math.exp(logits[base + column] - max);
    const lse = max + Math.log(sum);
    logSumExp[row] = lse;
    loss[row] = lse - logits[base + label];
  }
}

function rowsBackward(logits: Float32Array, labels: Int32Array, logSumExp: Float32Array, dy: Float32Array, vocab: number, out: Float32Array): void {
  const rows = labels.length;
  for (let row = 0; row < rows; row += 1) {
    const label = labels[row];
    const base = row * vocab;
    if (label < 0) {
      out.fill(0, base, base + vocab);
      continue;
    }
    const scale = dy[row];
    const lse = logSumExp[row];
    for (let column = 0; column < vocab; column += 1) out[base + column] = Math.exp(logits[base + column] - lse) * scale;
    out[base + label] -= scale;
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

const wasmForward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
    const { rows, vocab } = check(logits, labels);
    const loss = wasm.makeOutput([rows], 'float32');
    const logSumExp = wasm.makeOutput([rows], 'float32');
    // Views after the allocations: growing the wasm memory detaches earlier ones.
    rowsForward(
      wasm.typedArrayFromHeap(logits) as Float32Array, wasm.typedArrayFromHeap(labels) as Int32Array, vocab,
      wasm.typedArrayFromHeap(loss) as Float32Array, wasm.typedArrayFromHeap(logSumExp) as Float32Array,
    );
    return [loss, logSumExp];
  },
};

const wasmBackward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { logits, labels, logSumExp, dy } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo; logSumExp: tf.TensorInfo; dy: tf.TensorInfo };
    const { vocab } = check(logits, labels);
    const out = wasm.makeOutput(logits.shape, 'float32');
    rowsBackward(
      wasm.typedArrayFromHeap(logits) as Float32Array, wasm.typedArrayFromHeap(labels) as Int32Array,
      wasm.typedArrayFromHeap(logSumExp) as Float32Array, wasm.typedArrayFromHeap(dy) as Float32Array, vocab,
      wasm.typedArrayFromHeap(out) as Float32Array,
    );
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
    const logSumExp = new Float32Array(rows);
    rowsForward(cpu.readSync(logits.dataId) as Float32Array, cpu.readSync(labels.dataId) as Int32Array, vocab, loss, logSumExp);
    return [cpu.makeTensorInfo([rows], 'float32', loss), cpu.makeTensorInfo([rows], 'float32', logSumExp)];
  },
};

const cpuBackward: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const { logits, labels, logSumExp, dy } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo; logSumExp: tf.TensorInfo; dy: tf.TensorInfo };
    const { vocab } = check(logits, labels);
    const out = new Float32Array(logits.shape[0] * vocab);
    rowsBackward(
      cpu.readSync(logits.dataId) as Float32Array, cpu.readSync(labels.dataId) as Int32Array,
      cpu.readSync(logSumExp.dataId) as Float32Array, cpu.readSync(dy.dataId) as Float32Array, vocab, out,
    );
    return cpu.makeTensorInfo(logits.shape, 'float32', out);
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
    const [loss, logSumExp] = tf.engine().runKernel(CROSS_ENTROPY, { logits: x, labels: y }) as unknown as tf.Tensor[];
    save([x, y, logSumExp]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedLogits, savedLabels, savedLogSumExp] = saved;
        const dLogits = tf.engine().runKernel(CROSS_ENTROPY_GRAD, { logits: savedLogits, labels: savedLabels, logSumExp: savedLogSumExp, dy }) as unknown as tf.Tensor;
        return [dLogits, tf.zerosLike(savedLabels)];
      },
    };
  };
  const run = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(logits, labels) as tf.Tensor1D;
}
