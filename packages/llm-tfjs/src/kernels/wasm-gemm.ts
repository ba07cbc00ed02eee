import { get, I32, i32Const, instantiateOn, loop, set, simd, V128, wasmModuleBytes } from './wasm-encoding';

/**
 * `C[m, n] = A[m, k] · B[k, n]` (row-major float32, `n` a multiple of 16) as a small WebAssembly
 * SIMD function on tfjs-backend-wasm's heap: one row of A against 16 columns of B at a time, in
 * four f32x4 accumulators. Single-threaded and without packing, it is meant for the many small
 * per-head attention products, where XNNPACK's per-call operator creation (it packs B) and thread
 * hand-off cost more than the arithmetic (a `[256,64]·[64,64]` product: ~0.1 ms here against
 * ~0.2-0.4 ms through tfjs-wasm's `BatchMatMul`).
 */
const [A, B, C, M, K, N, I, J, P, ROW, ACC0, ACC1, ACC2, ACC3, AV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const add = 0x6a;
const mul = 0x6c;
const shl = 0x74;
const load = (offset: number) => [...simd(0x00), 0x02, offset];
const store = (offset: number) => [...simd(0x0b), 0x02, offset];
const fAdd = simd(0xe4);
const fMul = simd(0xe6);
const splat = simd(0x13);
const zero = [0x43, 0, 0, 0, 0, ...splat];
/** `address = base + ((row · stride + column) << 2)` into local ROW */
const address = (base: number, row: number, stride: number, column: number) => [...get(base), ...get(row), ...get(stride), mul, ...get(column), add, ...i32Const(2), shl, add];
const accumulate = (accumulator: number, offset: number) => [...get(accumulator), ...get(AV), ...get(ROW), ...load(offset), ...fMul, ...fAdd, ...set(accumulator)];
const body = [
  2, 4, I32, 5, V128, // locals: i, j, p, row pointer; four accumulators and the splat of A[i, p]
  ...i32Const(0), ...set(I),
  ...loop(I, get(M), 1, [
    ...i32Const(0), ...set(J),
    ...loop(J, get(N), 16, [
      ...zero, ...set(ACC0), ...zero, ...set(ACC1), ...zero, ...set(ACC2), ...zero, ...set(ACC3),
      ...i32Const(0), ...set(P),
      ...loop(P, get(K), 1, [
        ...address(A, I, K, P), 0x2a, 0x02, 0x00, ...splat, ...set(AV), // splat(A[i, p])
        ...address(B, P, N, J), ...set(ROW), // &B[p, j]
        ...accumulate(ACC0, 0), ...accumulate(ACC1, 16), ...accumulate(ACC2, 32), ...accumulate(ACC3, 48),
      ]),
      ...address(C, I, N, J), ...set(ROW), // &C[i, j]
      ...get(ROW), ...get(ACC0), ...store(0), ...get(ROW), ...get(ACC1), ...store(16),
      ...get(ROW), ...get(ACC2), ...store(32), ...get(ROW), ...get(ACC3), ...store(48),
    ]),
  ]),
  0x0b,
];

/** `gemm(a, b, c, m, k, n)` on byte offsets of tfjs-wasm's heap; `n % 16 === 0`. */
export type WasmGemm = (a: number, b: number, c: number, m: number, k: number, n: number) => void;

/** The gemm function bound to `memory`, or null where WebAssembly SIMD or the memory is unavailable. */
export function wasmGemmFor(memory: WebAssembly.Memory | undefined): WasmGemm | null {
  return instantiateOn(memory, 'gemm', (shared) => wasmModuleBytes(shared, 'gemm', [I32, I32, I32, I32, I32, I32], body)) as WasmGemm | null;
}
