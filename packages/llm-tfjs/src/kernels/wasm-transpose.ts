import { get, I32, i32Const, instantiateOn, loop, set, wasmModuleBytes } from './wasm-encoding';

/**
 * 2-D float32 transpose `dst[j, i] = src[i, j]` as a small WebAssembly function on
 * tfjs-backend-wasm's heap, in 16×16 tiles. tfjs-wasm's `Transpose` kernel walks every element
 * through generic N-D index arithmetic (5-13 ns per element on the bench machine); the matMul
 * wrapper transposes every weight (forward `x·Wᵀ`) and every `dY` (weight gradients) each step.
 */
const [SRC, DST, ROWS, COLS, I0, J0, I, J, I_END, J_END] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const TILE = 16;
const add = 0x6a;
const mul = 0x6c;
const shl = 0x74;
const ltU = 0x49;
/** `local = min(local + TILE, limit)` */
const tileEnd = (start: number, limit: number, end: number) => [
  ...get(start), ...i32Const(TILE), add, ...set(end),
  ...get(end), ...get(limit), ...get(end), ...get(limit), ltU, 0x1b, ...set(end), // select(end, limit, end < limit)
];
const element = [
  // address of dst[j, i]: dst + ((j·rows + i) << 2)
  ...get(DST), ...get(J), ...get(ROWS), mul, ...get(I), add, ...i32Const(2), shl, add,
  // f32.load src + ((i·cols + j) << 2)
  ...get(SRC), ...get(I), ...get(COLS), mul, ...get(J), add, ...i32Const(2), shl, add,
  0x2a, 0x02, 0x00, // f32.load align 4
  0x38, 0x02, 0x00, // f32.store align 4
];
const body = [
  1, 6, I32, // six i32 locals: i0, j0, i, j, iEnd, jEnd
  ...i32Const(0), ...set(I0),
  ...loop(I0, get(ROWS), TILE, [
    ...tileEnd(I0, ROWS, I_END),
    ...i32Const(0), ...set(J0),
    ...loop(J0, get(COLS), TILE, [
      ...tileEnd(J0, COLS, J_END),
      ...get(I0), ...set(I),
      ...loop(I, get(I_END), 1, [
        ...get(J0), ...set(J),
        ...loop(J, get(J_END), 1, element),
      ]),
    ]),
  ]),
  0x0b,
];

/** `transpose(src, dst, rows, cols)` on byte offsets of tfjs-wasm's heap. */
export type WasmTranspose = (src: number, dst: number, rows: number, cols: number) => void;

/** The transpose function bound to `memory`, or null where it cannot be instantiated. */
export function wasmTransposeFor(memory: WebAssembly.Memory | undefined): WasmTranspose | null {
  return instantiateOn(memory, 'transpose', (shared) => wasmModuleBytes(shared, 'transpose', [I32, I32, I32, I32], body)) as WasmTranspose | null;
}
