import * as tf from '@tensorflow/tfjs';

/** The slice of the wasm backend's API these kernels use (stable across tfjs 4.x). */
interface WasmBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * `UnsortedSegmentSum` for the wasm backend: `out[segmentIds[i], ...] += x[i, ...]`, ids outside
 * `[0, numSegments)` dropped (TensorFlow semantics). It is the gradient of `tf.gather`, so the
 * embedding lookup trains on wasm. Reads and writes the wasm heap directly.
 */
const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
    const values = wasm.readSync(x.dataId) as Float32Array | Int32Array;
    const segmentCount = ids.length;
    const inner = segmentCount === 0 ? 0 : values.length / segmentCount;
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const out = wasm.makeOutput(outShape, x.dtype);
    const target = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
    target.fill(0);
    for (let segment = 0; segment < segmentCount; segment += 1) {
      const id = ids[segment];
      if (id < 0 || id >= numSegments) continue;
      const source = segment * inner;
      const destination = id * inner;
      for (let index = 0; index < inner; index += 1) target[destination + index] += values[source + index];
    }
    return out;
  },
};

/** The slice of the cpu backend's API used here. */
interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * `UnsortedSegmentSum` for the cpu backend in one pass. tfjs-backend-cpu's own kernel loops over
 * every segment with a full mask (O(segments × n)), which makes the gradient of a gather into a
 * large table (embeddings, flattened log-probabilities) take minutes; this one is O(n).
 */
const unsortedSegmentSumCpu: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'cpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const ids = cpu.readSync(segmentIds.dataId) as Int32Array;
    const values = cpu.readSync(x.dataId) as Float32Array | Int32Array;
    const inner = ids.length === 0 ? 0 : values.length / ids.length;
    const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
    const target = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
    for (let segment = 0; segment < ids.length; segment += 1) {
      const id = ids[segment];
      if (id < 0 || id >= numSegments) continue;
      const source = segment * inner;
      const destination = id * inner;
      for (let index = 0; index < inner; index += 1) target[destination + index] += values[source + index];
    }
    return cpu.makeTensorInfo(outShape, x.dtype, target);
  },
};

interface BatchMatMulAttributes {
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * Wraps the wasm `BatchMatMul` so transposed operands are transposed explicitly first: the wasm
 * kernel of tfjs 4.22 multiplies untransposed operands with XNNPACK but falls back to a naive
 * loop (8-12× slower) when `transposeA`/`transposeB` is set, and every matMul gradient sets one.
 */
function fastTransposedMatMulWasm(original: tf.KernelConfig): tf.KernelConfig {
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  return {
    ...original,
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttributes;
      if ((!transposeA && !transposeB) || !transposeKernel) return original.kernelFunc(args);
      const backend = args.backend as unknown as { disposeData(dataId: tf.DataId): void };
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        const perm = x.shape.map((_, axis) => axis);
        const rank = perm.length;
        [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
        return transposeKernel.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const left = transposeA ? swapLast(a) : a;
      const right = transposeB ? swapLast(b) : b;
      const out = original.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      if (left !== a) backend.disposeData(left.dataId);
      if (right !== b) backend.disposeData(right.dataId);
      return out;
    },
  };
}

const WRAPPED = Symbol('llm-tfjs-wrapped');
let registered = false;

/**
 * Registers the kernels training needs: `UnsortedSegmentSum` for wasm (which
 * `@tensorflow/tfjs-backend-wasm` 4.22 lacks), a linear-time replacement of the cpu one, and the
 * fast transposed wasm matMul. Idempotent; `initBackend` and `CausalLM` call it.
 */
export function registerTrainingKernels(): void {
  if (!registered) {
    registered = true;
    for (const kernel of [unsortedSegmentSumWasm, unsortedSegmentSumCpu]) {
      if (tf.getKernel(kernel.kernelName, kernel.backendName)) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
      tf.registerKernel(kernel);
    }
  }
  // The wasm matMul wrapper needs the wasm package's own kernel, registered when it is imported.
  const matMul = tf.getKernel('BatchMatMul', 'wasm') as (tf.KernelConfig & { [WRAPPED]?: true }) | undefined;
  if (matMul && !matMul[WRAPPED]) {
    const wrapped = Object.assign(fastTransposedMatMulWasm(matMul), { [WRAPPED]: true as const });
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(wrapped);
  }
}
