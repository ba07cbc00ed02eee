/**
 * The Adam update of `adam-update.ts` as a small WebAssembly SIMD function (f32x4) that runs on
 * tfjs-backend-wasm's own memory: the module imports the backend's `WebAssembly.Memory`, so the
 * update reads and writes the tensors in place on the heap, with no copy. V8 runs the JavaScript
 * loop at ~16 ns per element on the 2-core bench machine (a square root and a division per
 * element); four lanes at a time it is several times faster. The module is encoded here byte by
 * byte (about 200 bytes), so there is no build step and no binary file.
 */

import { F32, get, I32, instantiateOn, set, simd, V128, vector, wasmModuleBytes } from './wasm-encoding';

const MEMARG = [0x02, 0x00]; // align 4 bytes, offset 0
const load = [...simd(0x00), ...MEMARG];
const store = [...simd(0x0b), ...MEMARG];
const splat = simd(0x13);
const sqrt = simd(0xe3);
const add = simd(0xe4);
const sub = simd(0xe5);
const mul = simd(0xe6);
const div = simd(0xe7);

// Parameters: pointers p, m, v, g, outP, outM, outV (0-6), count n (7, a multiple of 4),
// beta1, beta2, epsilon, stepSize, 1/√c2, decay (8-13). Locals: offset 14, end 15, splats 16-23, g/m/v 24-26.
const [P, M, V, G, OUT_P, OUT_M, OUT_V, N, BETA1, BETA2, EPS, STEP, INV, DECAY] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const [OFFSET, END, S_BETA1, S_1MB1, S_BETA2, S_1MB2, S_EPS, S_STEP, S_INV, S_DECAY, L_G, L_M, L_V] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
const at = (pointer: number) => [...get(pointer), ...get(OFFSET), 0x6a]; // pointer + offset
const oneMinus = (index: number) => [0x43, 0, 0, 0x80, 0x3f, ...get(index), 0x93]; // f32.const 1; f32.sub

const body = [
  ...vector([[2, I32], [11, V128]]),
  ...get(BETA1), ...splat, ...set(S_BETA1),
  ...oneMinus(BETA1), ...splat, ...set(S_1MB1),
  ...get(BETA2), ...splat, ...set(S_BETA2),
  ...oneMinus(BETA2), ...splat, ...set(S_1MB2),
  ...get(EPS), ...splat, ...set(S_EPS),
  ...get(STEP), ...splat, ...set(S_STEP),
  ...get(INV), ...splat, ...set(S_INV),
  ...get(DECAY), ...splat, ...set(S_DECAY),
  ...get(N), 0x41, 2, 0x74, ...set(END), // end = n << 2
  0x41, 0, ...set(OFFSET),
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...get(OFFSET), ...get(END), 0x4f, 0x0d, 1, // br_if 1 when offset >= end
  ...at(G), ...load, ...set(L_G),
  // m = beta1·m + (1 − beta1)·g
  ...at(M), ...load, ...get(S_BETA1), ...mul, ...get(L_G), ...get(S_1MB1), ...mul, ...add, ...set(L_M),
  // v = beta2·v + (1 − beta2)·g²
  ...at(V), ...load, ...get(S_BETA2), ...mul, ...get(L_G), ...get(L_G), ...mul, ...get(S_1MB2), ...mul, ...add, ...set(L_V),
  ...at(OUT_M), ...get(L_M), ...store,
  ...at(OUT_V), ...get(L_V), ...store,
  // p = p·decay − (stepSize·m) / (√v · (1/√c2) + eps)
  ...at(OUT_P),
  ...at(P), ...load, ...get(S_DECAY), ...mul,
  ...get(S_STEP), ...get(L_M), ...mul,
  ...get(L_V), ...sqrt, ...get(S_INV), ...mul, ...get(S_EPS), ...add,
  ...div, ...sub, ...store,
  ...get(OFFSET), 0x41, 16, 0x6a, ...set(OFFSET), // offset += 16
  0x0c, 0, 0x0b, 0x0b, // br 0; end loop; end block
  0x0b, // end function
];

function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const params = [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32];
  return wasmModuleBytes(shared, 'adam', params, body);
}

/** `adam(p, m, v, g, outP, outM, outV, n, beta1, beta2, eps, stepSize, 1/√c2, decay)` on byte offsets; n a multiple of 4. */
export type SimdAdam = (...args: number[]) => void;

/** The SIMD Adam function bound to `memory`, or null where WebAssembly SIMD or the memory is unavailable. */
export function simdAdamFor(memory: WebAssembly.Memory | undefined): SimdAdam | null {
  return instantiateOn(memory, 'adam', moduleBytes);
}
