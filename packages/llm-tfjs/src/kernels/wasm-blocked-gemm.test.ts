import { afterAll, describe, expect, it } from 'vitest';
import { blockedGemmScratch, blockedMatMul, type BlockedGemmOperands } from './wasm-blocked-gemm';
import { WasmGemmPool } from './wasm-gemm-pool';

/** A bump allocator on a fresh wasm memory, and operands filled with fixed values. */
function setUp(memory: WebAssembly.Memory, m: number, k: number, n: number, transA: boolean, transB: boolean): BlockedGemmOperands {
  let top = 64;
  const alloc = (floats: number) => {
    const at = top;
    top = (top + floats * 4 + 64) & ~63;
    return at;
  };
  const sizes = blockedGemmScratch(m, k, n);
  const operands = { a: alloc(m * k), b: alloc(k * n), out: alloc(m * n), packedA: alloc(sizes.packedA), packedB: alloc(sizes.packedB), paddedC: alloc(sizes.paddedC), m, k, n, transA, transB };
  const heap = new Float32Array(memory.buffer);
  for (let index = 0; index < m * k; index += 1) heap[operands.a / 4 + index] = Math.sin(index * 0.37 + m);
  for (let index = 0; index < k * n; index += 1) heap[operands.b / 4 + index] = Math.cos(index * 0.11 + n);
  heap.fill(Number.NaN, operands.out / 4, operands.out / 4 + m * n); // every element must be written
  return operands;
}

/** Largest error against a float64 product, relative to 1 + |exact|; float32 sums of k terms stay below `tolerance(k)`. */
function worstError(memory: WebAssembly.Memory, o: BlockedGemmOperands): number {
  const heap = new Float32Array(memory.buffer);
  let worst = 0;
  for (let i = 0; i < o.m; i += 1) {
    for (let j = 0; j < o.n; j += 1) {
      let exact = 0;
      for (let p = 0; p < o.k; p += 1) {
        exact += heap[o.a / 4 + (o.transA ? p * o.m + i : i * o.k + p)] * heap[o.b / 4 + (o.transB ? j * o.k + p : p * o.n + j)];
      }
      const got = heap[o.out / 4 + i * o.n + j];
      worst = Math.max(worst, Number.isNaN(got) ? Infinity : Math.abs(got - exact) / (1 + Math.abs(exact)));
    }
  }
  return worst;
}

const tolerance = (k: number) => 4e-6 + k * 1e-8;
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 8], [13, 300, 21], [64, 257, 48], [33, 520, 17]];
const LAYOUTS = [[false, false], [true, false], [false, true], [true, true]] as const;
const pools: WasmGemmPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

describe('blocked wasm GEMM', () => {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const pool = WasmGemmPool.for(memory, 4)!; // an unshared memory: the calling thread alone

  it('is available and single-threaded on an unshared memory', () => {
    expect(pool).not.toBeNull();
    expect(pool.threads).toBe(1);
  });

  it.each(SHAPES.flatMap(([m, k, n]) => LAYOUTS.map(([transA, transB]) => ({ m, k, n, transA, transB }))))(
    '[$m, $k] × [$k, $n] (A transposed $transA, B transposed $transB) equals the float64 product',
    ({ m, k, n, transA, transB }) => {
      const operands = setUp(memory, m, k, n, transA, transB);
      blockedMatMul(memory, operands, (plan) => pool.run(plan));
      expect(worstError(memory, operands)).toBeLessThan(tolerance(k));
    },
  );
});

describe('blocked wasm GEMM with helper threads (shared memory)', () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true } as WebAssembly.MemoryDescriptor);

  const ready = async (threads: number): Promise<WasmGemmPool> => {
    const pool = WasmGemmPool.for(memory, threads)!;
    pools.push(pool);
    for (let attempt = 0; attempt < 500 && pool.threads < threads; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pool.threads).toBe(threads);
    return pool;
  };

  it('gives bit-identical results with 1 and 3 threads on every layout and on partial tiles', async () => {
    const pool = await ready(3);
    for (const [m, k, n] of [[64, 257, 48], [33, 520, 17], [512, 64, 96]] as const) {
      for (const [transA, transB] of LAYOUTS) {
        const operands = setUp(memory, m, k, n, transA, transB);
        blockedMatMul(memory, operands, (plan) => pool.run(plan, 1));
        const alone = new Float32Array(memory.buffer).slice(operands.out / 4, operands.out / 4 + m * n);
        blockedMatMul(memory, operands, (plan) => pool.run(plan));
        const threaded = new Float32Array(memory.buffer).slice(operands.out / 4, operands.out / 4 + m * n);
        expect(threaded).toEqual(alone);
        expect(worstError(memory, operands)).toBeLessThan(tolerance(k));
      }
    }
  });

  it('reports a share that fails (out-of-bounds plan) as an error, without hanging, and keeps working', async () => {
    const pool = WasmGemmPool.for(memory, 3)!;
    const outOfBounds = 1024 * 65536 - 64; // past the memory's maximum
    const operands = setUp(memory, 64, 64, 64, false, false);
    expect(() => blockedMatMul(memory, { ...operands, a: outOfBounds, b: outOfBounds }, (plan) => pool.run(plan))).toThrow();
    blockedMatMul(memory, operands, (plan) => pool.run(plan));
    expect(worstError(memory, operands)).toBeLessThan(tolerance(64));
  });
});
