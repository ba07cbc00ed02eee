import * as tf from '@tensorflow/tfjs';
import { adamUpdateKernels } from './adam-update';
import { crossEntropyKernels } from './cross-entropy';
import { decoderKernels } from './decoder-kernels';
import { threadedWasmThreads } from '../backend/wasm-threads';
import { blockedGemmScratch, blockedMatMul } from './wasm-blocked-gemm';
import { wasmGemmFor } from './wasm-gemm';
import { WasmGemmPool } from './wasm-gemm-pool';
import { wasmTransposeFor } from './wasm-transpose';

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

/** The slice of the wasm backend's API the aliasing Identity uses. */
interface WasmIdentityBackendLike extends WasmBackendLike {
  incRef(dataId: tf.DataId): void;
}

/**
 * `Identity` for wasm that shares the input's memory (reference-counted, like wasm's `Reshape`
 * and cpu's `Identity`) instead of copying it. tfjs's engine runs `Identity` on every tensor it
 * saves for the backward pass (`saveTensorsForBackwardMode` clones them), so the copying kernel
 * of tfjs-backend-wasm 4.22 costs a full copy of most activations per training step. Kernels
 * never write into their inputs, so sharing is safe; strings keep the original kernel.
 */
function aliasingIdentityWasm(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as WasmIdentityBackendLike).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

/**
 * Rough costs per element on a 2-core EPYC (tfjs-backend-wasm 4.22, see
 * bench/llm-forward-backward/NOTES.md): XNNPACK's operator creation, which packs the right
 * operand, and a transpose. Only their ratio matters (the matMul wrapper's operand choice).
 */
const PACK_NS = 20;
const MOVE_NS = 8;

interface BatchMatMulAttributes {
  transposeA: boolean;
  transposeB: boolean;
}

/** The slice of the wasm backend's API the matMul wrapper uses. */
interface WasmMatMulBackendLike extends WasmBackendLike {
  disposeData(dataId: tf.DataId): void;
  getMemoryOffset(dataId: tf.DataId): number;
  wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
}

/**
 * Copies matrix `index` of a `[batch, rows, columns]` float32 array into `target` as
 * `[rows, columns]`, or as `[columns, rows]` when `transpose` is set.
 */
function copyMatrix(source: Float32Array, index: number, rows: number, columns: number, transpose: boolean, target: Float32Array): void {
  const offset = index * rows * columns;
  if (!transpose) {
    target.set(source.subarray(offset, offset + rows * columns));
    return;
  }
  for (let row = 0; row < rows; row += 1) {
    const base = offset + row * columns;
    for (let column = 0; column < columns; column += 1) target[column * rows + row] = source[base + column];
  }
}

/**
 * `BatchMatMul` for wasm that keeps every product on XNNPACK. The wasm kernel of tfjs 4.22 uses
 * XNNPACK only for one untransposed `[m, k] × [k, n]` product and falls back to a naive loop
 * (8-50× slower) when `transposeA`/`transposeB` is set or when there is a batch dimension, which
 * is every attention product and every matMul gradient. This wrapper transposes 2-D operands
 * explicitly first, and splits batched products (equal batch shapes) into one XNNPACK product
 * per matrix, copying the (transposed) operands out of and the results into the wasm heap.
 */
/** The last left operand the swapped `x·Wᵀ` transposed (one entry; replaced by the next). */
let lastTransposed: { source: tf.DataId; transposed: tf.TensorInfo; backend: WasmMatMulBackendLike } | undefined;

/**
 * Whether a product goes through the package's blocked GEMM (`wasm-blocked-gemm.ts`) rather than
 * XNNPACK: every float32 product with enough rows and columns to fill its register tiles. Small-m
 * products (decoding a token, where XNNPACK keeps a constant weight packed across calls) keep the
 * XNNPACK paths below. `EASYDISTILL_WASM_GEMM=xnnpack` turns it off (for A/B measurements).
 */
function useBlockedGemm(m: number, k: number, n: number): boolean {
  return m >= 32 && n >= 8 && k >= 8 && m * k * n >= 32_768 && process.env.EASYDISTILL_WASM_GEMM !== 'xnnpack';
}

/** Whether one matrix of a batched product fits the unpacked SIMD gemm of `wasm-gemm.ts` (attention's per-head products). */
function fitsSmallGemm(k: number, n: number): boolean {
  return n % 16 === 0 && k * n <= 65_536;
}

/** Products below this many multiply-adds run on the calling thread alone (a helper's wake-up costs tens of microseconds). */
const THREADED_MIN_WORK = 1 << 21;

/**
 * `out[i] = op(A[i]) · op(B[i])` for the `batch` matrices of `a`, `b` and `out` (byte offsets on
 * the heap) through the blocked GEMM, with its scratch buffers allocated once on (and freed
 * from) the backend's heap.
 */
function blockedProducts(backend: WasmMatMulBackendLike, memory: WebAssembly.Memory, pool: WasmGemmPool, a: number, b: number, out: number, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  const sizes = blockedGemmScratch(m, k, n);
  const scratch = [sizes.packedA, sizes.packedB, Math.max(sizes.paddedC, 1)].map((floats) => backend.makeOutput([floats], 'float32'));
  const [packedA, packedB, paddedC] = scratch.map((info) => backend.getMemoryOffset(info.dataId));
  const threads = m * k * n >= THREADED_MIN_WORK ? undefined : 1;
  try {
    for (let index = 0; index < batch; index += 1) {
      const operands = { a: a + index * m * k * 4, b: b + index * k * n * 4, out: out + index * m * n * 4, packedA, packedB, paddedC, m, k, n, transA, transB };
      blockedMatMul(memory, operands, (plan) => pool.run(plan, threads));
    }
  } finally {
    for (const info of scratch) backend.disposeData(info.dataId);
  }
}

function fastMatMulWasm(original: tf.KernelConfig): tf.KernelConfig {
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  return {
    ...original,
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttributes;
      const backend = args.backend as unknown as WasmMatMulBackendLike;
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const rank = a.shape.length;
      const batchShape = a.shape.slice(0, -2);
      const batch = batchShape.reduce((product, size) => product * size, 1);
      const sameBatch = b.shape.length === rank && b.shape.slice(0, -2).every((size, axis) => size === batchShape[axis]);
      const m = transposeA ? a.shape[rank - 1] : a.shape[rank - 2];
      const k = transposeA ? a.shape[rank - 2] : a.shape[rank - 1];
      const n = transposeB ? b.shape[rank - 2] : b.shape[rank - 1];
      const float32 = a.dtype === 'float32' && b.dtype === 'float32';
      const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
      // Large float32 products, 2-D or batched with equal batch shapes (except attention's small
      // per-head products, which the SIMD gemm below takes): the blocked GEMM.
      const smallBatched = batch > 1 && fitsSmallGemm(k, n);
      const shapesFit = rank === 2 ? b.shape.length === 2 : sameBatch && !smallBatched;
      const pool = float32 && shapesFit && useBlockedGemm(m, k, n) ? WasmGemmPool.for(memory, threadedWasmThreads()) : null;
      if (pool && memory) {
        const out = backend.makeOutput([...batchShape, m, n], 'float32');
        const [aBase, bBase, outBase] = [a, b, out].map((info) => backend.getMemoryOffset(info.dataId));
        blockedProducts(backend, memory, pool, aBase, bBase, outBase, batch, m, k, n, transposeA, transposeB);
        return out;
      }
      // Below ~16K multiply-adds per matrix the naive loop beats an XNNPACK call per matrix.
      if (batch > 1 && sameBatch && m * k * n >= 16_384 && float32) {
        const out = backend.makeOutput([...batchShape, m, n], 'float32');
        const tiled = wasmTransposeFor(memory);
        // Small matrices (attention's per-head products): the package's SIMD gemm, no XNNPACK call per matrix.
        const gemm = fitsSmallGemm(k, n) && tiled ? wasmGemmFor(memory) : null;
        if (gemm && tiled) {
          const left = transposeA ? backend.makeOutput([m, k], 'float32') : undefined;
          const right = transposeB ? backend.makeOutput([k, n], 'float32') : undefined;
          const [aBase, bBase, outBase] = [a, b, out].map((info) => backend.getMemoryOffset(info.dataId));
          const leftBase = left ? backend.getMemoryOffset(left.dataId) : 0;
          const rightBase = right ? backend.getMemoryOffset(right.dataId) : 0;
          for (let index = 0; index < batch; index += 1) {
            const aMatrix = aBase + index * m * k * 4;
            const bMatrix = bBase + index * k * n * 4;
            if (left) tiled(aMatrix, leftBase, k, m);
            if (right) tiled(bMatrix, rightBase, n, k);
            gemm(left ? leftBase : aMatrix, right ? rightBase : bMatrix, outBase + index * m * n * 4, m, k, n);
          }
          if (left) backend.disposeData(left.dataId);
          if (right) backend.disposeData(right.dataId);
          return out;
        }
        for (let index = 0; index < batch; index += 1) {
          const left = backend.makeOutput([m, k], 'float32');
          const right = backend.makeOutput([k, n], 'float32');
          // Views are taken after each allocation: growing the wasm memory detaches older ones.
          const operand = (source: tf.TensorInfo, rows: number, columns: number, transpose: boolean, target: tf.TensorInfo) => {
            if (transpose && tiled) tiled(backend.getMemoryOffset(source.dataId) + index * rows * columns * 4, backend.getMemoryOffset(target.dataId), rows, columns);
            else copyMatrix(backend.typedArrayFromHeap(source) as Float32Array, index, rows, columns, transpose, backend.typedArrayFromHeap(target) as Float32Array);
          };
          operand(a, transposeA ? k : m, transposeA ? m : k, transposeA, left);
          operand(b, transposeB ? n : k, transposeB ? k : n, transposeB, right);
          const product = original.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
          (backend.typedArrayFromHeap(out) as Float32Array).set(backend.typedArrayFromHeap(product) as Float32Array, index * m * n);
          backend.disposeData(left.dataId);
          backend.disposeData(right.dataId);
          backend.disposeData(product.dataId);
        }
        return out;
      }
      if (!transposeKernel) return original.kernelFunc(args);
      const swapLast = (x: tf.TensorInfo): tf.TensorInfo => {
        // 2-D float32: the package's tiled wasm transpose (about 2x tfjs-wasm's generic kernel).
        const tiled = x.shape.length === 2 && x.dtype === 'float32' ? wasmTransposeFor(backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory) : null;
        if (tiled) {
          const [rows, columns] = x.shape;
          const out = backend.makeOutput([columns, rows], 'float32');
          tiled(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), rows, columns);
          return out;
        }
        const perm = x.shape.map((_, axis) => axis);
        const last = perm.length;
        [perm[last - 2], perm[last - 1]] = [perm[last - 1], perm[last - 2]];
        return transposeKernel.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const plain = { ...args.attrs, transposeA: false, transposeB: false };
      // XNNPACK packs the right operand (a new operator per new tensor: ~20 ns per element here)
      // and streams the left one. For x·Wᵀ (a linear layer) the direct way transposes W and packs
      // it; when x is much smaller than W (the LM head with a large vocabulary; any linear layer
      // while decoding), compute (W·xᵀ)ᵀ instead: stream W as it is, pack xᵀ, transpose the
      // [n, m] result.
      // The transposed x is kept for the next call: the MLP's gate and up products (and any
      // products sharing their left operand) then reuse it, and XNNPACK reuses its packing (its
      // operator cache is keyed by that tensor), so only the first of them packs.
      if (transposeB && rank === 2 && b.shape.length === 2 && float32) {
        const hit = !transposeA && lastTransposed?.source === a.dataId && lastTransposed.backend === backend;
        const direct = (transposeA ? MOVE_NS * m * k : 0) + MOVE_NS * k * n + PACK_NS * k * n;
        const swapped = (hit || transposeA ? 0 : MOVE_NS * m * k) + (hit ? 0 : PACK_NS * m * k) + MOVE_NS * m * n;
        if (swapped < 0.7 * direct) {
          const left = b; // [n, k]
          let right = a; // [k, m]
          if (hit) right = lastTransposed!.transposed;
          else if (!transposeA) {
            right = swapLast(a);
            if (lastTransposed) lastTransposed.backend.disposeData(lastTransposed.transposed.dataId);
            lastTransposed = { source: a.dataId, transposed: right, backend };
          }
          const product = original.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: plain }) as tf.TensorInfo; // [n, m]
          const out = swapLast(product);
          backend.disposeData(product.dataId);
          return out;
        }
      }
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const left = transposeA ? swapLast(a) : a;
      const right = transposeB ? swapLast(b) : b;
      const out = original.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: plain });
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
 * fast transposed and batched wasm matMul, an Identity for wasm that shares memory, and the fused cross-entropy (`cross-entropy.ts`) and
 * Adam update (`adam-update.ts`), RMSNorm and RoPE (`decoder-kernels.ts`) for wasm and cpu. Idempotent; `initBackend` and `CausalLM` call it.
 */
export function registerTrainingKernels(): void {
  if (!registered) {
    registered = true;
    for (const kernel of [unsortedSegmentSumWasm, unsortedSegmentSumCpu, ...crossEntropyKernels, ...adamUpdateKernels, ...decoderKernels]) {
      if (tf.getKernel(kernel.kernelName, kernel.backendName)) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
      tf.registerKernel(kernel);
    }
  }
  // The wasm wrappers need the wasm package's own kernels, registered when it is imported.
  const matMul = tf.getKernel('BatchMatMul', 'wasm') as (tf.KernelConfig & { [WRAPPED]?: true }) | undefined;
  if (matMul && !matMul[WRAPPED]) {
    const wrapped = Object.assign(fastMatMulWasm(matMul), { [WRAPPED]: true as const });
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(wrapped);
  }
  const identity = tf.getKernel('Identity', 'wasm') as (tf.KernelConfig & { [WRAPPED]?: true }) | undefined;
  if (identity && !identity[WRAPPED]) {
    const wrapped = Object.assign(aliasingIdentityWasm(identity), { [WRAPPED]: true as const });
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(wrapped);
  }
}
