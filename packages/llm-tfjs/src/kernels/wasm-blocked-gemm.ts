import { get, I32, i32Const, instantiateOn, leb, loop, set, simd, V128, wasmModuleBytes } from './wasm-encoding';

/**
 * A cache-blocked float32 GEMM in WebAssembly SIMD on tfjs-backend-wasm's heap, for the large 2-D
 * products of training: `C[m, n] = op(A) · op(B)` with either operand transposed.
 *
 * Why not XNNPACK (tfjs-wasm's `BatchMatMul`): it packs its right operand into a new operator for
 * every new tensor, at ~20 ns per element on the bench machine, and in training every weight and
 * every activation is a new tensor each step. Here both operands are packed by small SIMD loops
 * at ~1 ns per element (A into blocks of `MR` rows interleaved per `k`, B into panels of `NR`
 * columns), which also absorbs the transposes, and an `MR × NR` register tile (8 f32x4
 * accumulators) runs over the packed, contiguous streams, blocked so that a B panel stays in L1
 * and an A block in L2 (GotoBLAS's scheme). With a shared memory (the threaded build) the panels
 * are split between the calling thread and helper workers (`wasm-gemm-pool.ts`).
 */

export const MR = 4;
export const NR = 8;
/** k-block: a B panel of KC × NR floats (8 KB) stays in L1 */
export const KC = 256;
/** row blocks per A block: MC_BLOCKS × MR × KC floats (128 KB) stay in L2 */
export const MC_BLOCKS = 32;

const add = 0x6a;
const mul = 0x6c;
const memarg = (align: number, offset: number) => [align, ...leb(offset)];
const v128Load = (offset: number) => [...simd(0x00), ...memarg(4, offset)];
const v128Store = (offset: number) => [...simd(0x0b), ...memarg(4, offset)];
const load32Splat = (offset: number) => [...simd(0x09), ...memarg(2, offset)];
const f32Load = (offset: number) => [0x2a, ...memarg(2, offset)];
const f32Store = (offset: number) => [0x38, ...memarg(2, offset)];
const fAdd = simd(0xe4);
const fMul = simd(0xe6);
const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const increment = (local: number, by: number) => [...get(local), ...i32Const(by), add, ...set(local)];

/**
 * `tiles(ap, bp, c, rowBlocks, kc, ldcBytes, panels, apStride, bpStride, accumulate)`: for each of
 * `panels` packed B panels and each of `rowBlocks` packed A blocks, `C[MR, NR] (+)= A · B` over
 * `kc` steps. `ap`/`bp` point at the first block/panel at the k-block's start; `apStride` and
 * `bpStride` are the bytes between blocks and panels (their whole packed length over all of k).
 */
function tilesBody(): number[] {
  const [AP, BP, C, RB, KCL, LDC, NP, APS, BPS, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [P, IB, KI, PA, PB, PC, ROW] = [10, 11, 12, 13, 14, 15, 16];
  const vectors = NR / 4;
  const accumulators = Array.from({ length: MR * vectors }, (_, index) => 17 + index);
  const [B0] = [17 + MR * vectors];
  const bLocals = Array.from({ length: vectors }, (_, index) => B0 + index);
  const AV = B0 + vectors;
  const rowPointer = (row: number) => [...get(PC), ...(row === 0 ? [] : [...get(LDC), ...i32Const(row), mul, add]), ...set(ROW)];
  const initial: number[] = [];
  const final: number[] = [];
  for (let row = 0; row < MR; row += 1) {
    initial.push(...rowPointer(row));
    final.push(...rowPointer(row));
    for (let vector = 0; vector < vectors; vector += 1) {
      const accumulator = accumulators[row * vectors + vector];
      initial.push(...get(ACC), 0x04, V128, ...get(ROW), ...v128Load(vector * 16), 0x05, ...zero, 0x0b, ...set(accumulator));
      final.push(...get(ROW), ...get(accumulator), ...v128Store(vector * 16));
    }
  }
  /** `unroll` consecutive k steps, then the pointers move past them */
  const steps = (unroll: number): number[] => {
    const code: number[] = [];
    for (let u = 0; u < unroll; u += 1) {
      for (let vector = 0; vector < vectors; vector += 1) code.push(...get(PB), ...v128Load(u * NR * 4 + vector * 16), ...set(bLocals[vector]));
      for (let row = 0; row < MR; row += 1) {
        code.push(...get(PA), ...load32Splat(u * MR * 4 + row * 4), ...set(AV));
        for (let vector = 0; vector < vectors; vector += 1) {
          const accumulator = accumulators[row * vectors + vector];
          code.push(...get(accumulator), ...get(AV), ...get(bLocals[vector]), ...fMul, ...fAdd, ...set(accumulator));
        }
      }
    }
    code.push(...increment(PA, unroll * MR * 4), ...increment(PB, unroll * NR * 4));
    return code;
  };
  return [
    2, 7, I32, MR * vectors + vectors + 1, V128,
    ...i32Const(0), ...set(P),
    ...loop(P, get(NP), 1, [
      ...i32Const(0), ...set(IB),
      ...loop(IB, get(RB), 1, [
        ...get(AP), ...get(IB), ...get(APS), mul, add, ...set(PA),
        ...get(BP), ...get(P), ...get(BPS), mul, add, ...set(PB),
        ...get(C), ...get(IB), ...get(LDC), ...i32Const(MR), mul, mul, add, ...get(P), ...i32Const(NR * 4), mul, add, ...set(PC),
        ...initial,
        ...i32Const(0), ...set(KI),
        // One k step per iteration: unrolling by 2 or 4 measured 1.3-2x slower (V8's register allocation).
        ...loop(KI, get(KCL), 1, steps(1)),
        ...final,
      ]),
    ]),
    0x0b,
  ];
}

/**
 * The loops of both packing functions, whose first four parameters are `src, dst, blocks, k` and
 * whose locals start at `firstLocal`: for each block, `S = blockStart`; for each of k steps,
 * `copies` (reading at S, writing `width` floats at D), then `S += advance`, `D += width · 4`.
 */
function packBody(width: number, firstLocal: number, code: (S: number, D: number, BLOCK: number) => { blockStart: number[]; copies: number[]; advance: number[] }): number[] {
  const [DST, BLOCKS, K] = [1, 2, 3];
  const [BLOCK, P, S, D] = [firstLocal, firstLocal + 1, firstLocal + 2, firstLocal + 3];
  const { blockStart, copies, advance } = code(S, D, BLOCK);
  return [
    1, 4, I32,
    ...get(DST), ...set(D),
    ...i32Const(0), ...set(BLOCK),
    ...loop(BLOCK, get(BLOCKS), 1, [
      ...blockStart, ...set(S),
      ...i32Const(0), ...set(P),
      ...loop(P, get(K), 1, [...copies, ...get(S), ...advance, add, ...set(S), ...increment(D, width * 4)]),
    ]),
    0x0b,
  ];
}

/**
 * `packRows(src, dst, blocks, k, ldBytes, elementBytes)`: `dst[block][p][r] = src[block·width + r][p]`
 * for a source whose row `i`, element `p` is at `src + i·ldBytes + p·elementBytes` (`width` rows per
 * block: MR for A, NR for B). With `elementBytes` 4 it packs row-major rows (A, or B transposed).
 */
function packStridedBody(width: number): number[] {
  const [SRC, LD, EL] = [0, 4, 5];
  return packBody(width, 6, (S, D, BLOCK) => ({
    blockStart: [...get(SRC), ...get(BLOCK), ...get(LD), ...i32Const(width), mul, mul, add],
    copies: Array.from({ length: width }, (_, r) => [...get(D), ...get(S), ...(r === 0 ? [] : [...get(LD), ...i32Const(r), mul, add]), ...f32Load(0), ...f32Store(r * 4)]).flat(),
    advance: get(EL),
  }));
}

/**
 * `packContiguous(src, dst, blocks, k, ldBytes)`: `dst[block][p][0..width] = src[p·ld + block·width ..]`:
 * each step copies `width` contiguous floats (A stored transposed, or B untransposed) as f32x4.
 */
function packContiguousBody(width: number): number[] {
  const [SRC, LD] = [0, 4];
  return packBody(width, 5, (S, D, BLOCK) => ({
    blockStart: [...get(SRC), ...get(BLOCK), ...i32Const(width * 4), mul, add],
    copies: Array.from({ length: width / 4 }, (_, vector) => [...get(D), ...get(S), ...v128Load(vector * 16), ...v128Store(vector * 16)]).flat(),
    advance: get(LD),
  }));
}

export interface BlockedGemmFunctions {
  tiles(ap: number, bp: number, c: number, rowBlocks: number, kc: number, ldcBytes: number, panels: number, apStride: number, bpStride: number, accumulate: number): void;
  /** `dst[block][p][0..MR] = src[(block·MR + r)·ld + p·el]` */
  packRowsA(src: number, dst: number, blocks: number, k: number, ldBytes: number, elementBytes: number): void;
  packRowsB(src: number, dst: number, blocks: number, k: number, ldBytes: number, elementBytes: number): void;
  /** `dst[block][p][0..width] = src[p·ld + block·width ..]` */
  packContiguousA(src: number, dst: number, blocks: number, k: number, ldBytes: number): void;
  packContiguousB(src: number, dst: number, blocks: number, k: number, ldBytes: number): void;
}

/** The module bytes of each function, for a shared or unshared memory (also used by the worker pool). */
export function blockedGemmModules(shared: boolean): Record<keyof BlockedGemmFunctions, Uint8Array<ArrayBuffer>> {
  const six = [I32, I32, I32, I32, I32, I32];
  return {
    tiles: wasmModuleBytes(shared, 'blocked-gemm-tiles', [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], tilesBody()),
    packRowsA: wasmModuleBytes(shared, 'blocked-gemm-packRowsA', six, packStridedBody(MR)),
    packRowsB: wasmModuleBytes(shared, 'blocked-gemm-packRowsB', six, packStridedBody(NR)),
    packContiguousA: wasmModuleBytes(shared, 'blocked-gemm-packContiguousA', six.slice(0, 5), packContiguousBody(MR)),
    packContiguousB: wasmModuleBytes(shared, 'blocked-gemm-packContiguousB', six.slice(0, 5), packContiguousBody(NR)),
  };
}

/** The functions bound to `memory`, or null where WebAssembly SIMD or the memory is unavailable. */
export function blockedGemmFor(memory: WebAssembly.Memory | undefined): BlockedGemmFunctions | null {
  if (!memory) return null;
  const functions: Partial<BlockedGemmFunctions> = {};
  for (const key of ['tiles', 'packRowsA', 'packRowsB', 'packContiguousA', 'packContiguousB'] as const) {
    const fn = instantiateOn(memory, `blocked-gemm-${key}`, (shared) => blockedGemmModules(shared)[key]);
    if (!fn) return null;
    (functions as Record<string, unknown>)[key] = fn;
  }
  return functions as BlockedGemmFunctions;
}

/**
 * The work of participant `t` of `threads` on one product, as JavaScript source so that the
 * calling thread and the pool's workers (`wasm-gemm-pool.ts`) run the same code: pack a share of
 * A's full row blocks and the full panels of B this participant multiplies, meet at `barrier`
 * (every participant needs all of packed A), then multiply its panels against every row block,
 * k-block by k-block. `q` holds the plan of `planBlockedGemm`, in `PLAN` order.
 */
export const PART_SOURCE = `function part(f, q, t, threads, barrier) {
  const [ap, bp, c, a, b, rowBlocks, fullRowBlocks, k, panels, fullPanels, transA, transB, lda, ldb, ldc] = q;
  const MR4 = ${MR * 4}, NR4 = ${NR * 4}, KC = ${KC}, MCB = ${MC_BLOCKS};
  const a0 = Math.floor((t * fullRowBlocks) / threads), a1 = Math.floor(((t + 1) * fullRowBlocks) / threads);
  if (a1 > a0) {
    if (transA) f.packContiguousA(a + a0 * MR4, ap + a0 * k * MR4, a1 - a0, k, lda);
    else f.packRowsA(a + a0 * ${MR} * lda, ap + a0 * k * MR4, a1 - a0, k, lda, 4);
  }
  const p0 = Math.floor((t * panels) / threads), p1 = Math.floor(((t + 1) * panels) / threads);
  const q1 = Math.min(p1, fullPanels);
  if (q1 > p0) {
    if (transB) f.packRowsB(b + p0 * ${NR} * ldb, bp + p0 * k * NR4, q1 - p0, k, ldb, 4);
    else f.packContiguousB(b + p0 * NR4, bp + p0 * k * NR4, q1 - p0, k, ldb);
  }
  barrier();
  if (p1 <= p0) return;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let i0 = 0; i0 < rowBlocks; i0 += MCB) {
      f.tiles(ap + (i0 * k + k0) * MR4, bp + (p0 * k + k0) * NR4, c + i0 * ${MR} * ldc + p0 * NR4, Math.min(MCB, rowBlocks - i0), kc, ldc, p1 - p0, k * MR4, k * NR4, k0 > 0 ? 1 : 0);
    }
  }
}`;

export type BlockedGemmPart = (functions: BlockedGemmFunctions, plan: number[], t: number, threads: number, barrier: () => void) => void;

/** `PART_SOURCE` as a function of this thread. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const blockedGemmPart = new Function(`return ${PART_SOURCE}`)() as BlockedGemmPart;

/** The sizes of the scratch buffers a product needs, in floats. */
export function blockedGemmScratch(m: number, k: number, n: number): { packedA: number; packedB: number; paddedC: number } {
  const mPad = Math.ceil(m / MR) * MR;
  const nPad = Math.ceil(n / NR) * NR;
  return { packedA: mPad * k, packedB: k * nPad, paddedC: mPad === m && nPad === n ? 0 : mPad * nPad };
}

export interface BlockedGemmOperands {
  /** byte offsets on the heap */
  a: number;
  b: number;
  out: number;
  packedA: number;
  packedB: number;
  /** `[mPad, nPad]` when m or n is not a multiple of MR / NR, else unused */
  paddedC: number;
  m: number;
  k: number;
  n: number;
  /** A is stored `[k, m]` */
  transA: boolean;
  /** B is stored `[n, k]` */
  transB: boolean;
}

/**
 * The last, partial block of a packed operand, in JavaScript (k × width elements): lane `l` of step
 * `p` is the element of row/column `first + l` (byte offset `at(index, p)`), or 0 at or past `count`.
 */
function packPartialBlock(heap: Float32Array, dst: number, first: number, count: number, width: number, k: number, at: (index: number, p: number) => number): void {
  for (let p = 0; p < k; p += 1) {
    for (let lane = 0; lane < width; lane += 1) {
      const index = first + lane;
      heap[dst / 4 + p * width + lane] = index < count ? heap[at(index, p) / 4] : 0;
    }
  }
}

/**
 * Runs `out[m, n] = op(A) · op(B)` (row-major float32 on `memory`): packs the partial row block
 * and panel (m % MR, n % NR) with zero padding here, then hands the plan to `run` (one thread, or
 * the pool), then copies the result out of the padded buffer when there was padding.
 */
export function blockedMatMul(memory: WebAssembly.Memory, operands: BlockedGemmOperands, run: (plan: number[]) => void): void {
  const { a, b, out, packedA, packedB, paddedC, m, k, n, transA, transB } = operands;
  const fullRowBlocks = Math.floor(m / MR);
  const fullPanels = Math.floor(n / NR);
  const rowBlocks = Math.ceil(m / MR);
  const panels = Math.ceil(n / NR);
  const nPad = panels * NR;
  const padded = rowBlocks * MR !== m || nPad !== n;
  const lda = (transA ? m : k) * 4;
  const ldb = (transB ? k : n) * 4;
  if (rowBlocks !== fullRowBlocks || panels !== fullPanels) {
    const heap = new Float32Array(memory.buffer);
    if (rowBlocks !== fullRowBlocks) {
      packPartialBlock(heap, packedA + fullRowBlocks * k * MR * 4, fullRowBlocks * MR, m, MR, k, (i, p) => (transA ? a + p * lda + i * 4 : a + i * lda + p * 4));
    }
    if (panels !== fullPanels) {
      packPartialBlock(heap, packedB + fullPanels * k * NR * 4, fullPanels * NR, n, NR, k, (j, p) => (transB ? b + j * ldb + p * 4 : b + p * ldb + j * 4));
    }
  }
  const target = padded ? paddedC : out;
  run([packedA, packedB, target, a, b, rowBlocks, fullRowBlocks, k, panels, fullPanels, transA ? 1 : 0, transB ? 1 : 0, lda, ldb, nPad * 4]);
  if (padded) {
    const heap = new Float32Array(memory.buffer);
    for (let i = 0; i < m; i += 1) heap.copyWithin(out / 4 + i * n, paddedC / 4 + i * nPad, paddedC / 4 + i * nPad + n);
  }
}
