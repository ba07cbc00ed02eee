import { Worker } from 'node:worker_threads';
import { blockedGemmFor, blockedGemmModules, blockedGemmPart, PART_SOURCE, type BlockedGemmFunctions } from './wasm-blocked-gemm';

/**
 * Helper threads for the blocked GEMM on the threaded wasm build, whose heap is a shared
 * `WebAssembly.Memory`: each helper is a Node worker that instantiates the same GEMM modules on
 * that memory and runs its share of a product (`PART_SOURCE`) when the calling thread publishes
 * one. Kernels are synchronous, so the calling thread does its own share and then blocks
 * (`Atomics.wait`, which Node allows on the main thread) until every helper is done. The control
 * block is a small `SharedArrayBuffer` of its own; nothing is posted per product.
 *
 * Until every helper has started (tens of milliseconds), and wherever the memory is not shared,
 * products run on the calling thread alone. Workers are `unref()`ed: they never keep the process
 * alive.
 */

/** Control block layout (Int32 slots). */
const SEQ = 0; // job sequence number, > 0; -1 asks the workers to stop
const ARRIVED = 1; // participants at the barrier in the current job
const DONE = 2; // helpers done with the current job
const FAILED = 3; // 1 when a helper's share threw
const READY = 4; // helper i sets READY + i to 1 once started (at most 16 helpers)
const PLAN = 32; // the plan, PLAN_LENGTH slots
const PLAN_LENGTH = 32;
const SPINS = 4000;

/**
 * `waitAtLeast(ctrl, slot, target)`: waits until `ctrl[slot] >= target` (a short spin, then
 * `Atomics.wait`); `arrive(ctrl, participants)`: arrives at the job's barrier and waits for the
 * others. Source text, so that the workers run the very same code (a bundler may rename functions).
 */
const SYNC_SOURCE = `
function waitAtLeast(ctrl, slot, target) {
  let spins = 0;
  for (;;) {
    const value = Atomics.load(ctrl, slot);
    if (value >= target) return;
    if (spins < ${SPINS}) spins += 1;
    else Atomics.wait(ctrl, slot, value, 50);
  }
}
function arrive(ctrl, participants) {
  if (Atomics.add(ctrl, ${ARRIVED}, 1) + 1 >= participants) Atomics.notify(ctrl, ${ARRIVED});
  else waitAtLeast(ctrl, ${ARRIVED}, participants);
}`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const { waitAtLeast, arrive } = new Function(`${SYNC_SOURCE}\nreturn { waitAtLeast, arrive };`)() as {
  waitAtLeast(ctrl: Int32Array, slot: number, target: number): void;
  arrive(ctrl: Int32Array, participants: number): void;
};

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, modules, control, index, participants } = workerData;
const ctrl = new Int32Array(control);
const f = {};
for (const [key, module] of Object.entries(modules)) f[key] = new WebAssembly.Instance(module, { env: { memory } }).exports['blocked-gemm-' + key];
const part = new Function('return ' + workerData.part)();
const SEQ = ${SEQ}, DONE = ${DONE}, FAILED = ${FAILED}, READY = ${READY}, PLAN = ${PLAN}, PLAN_LENGTH = ${PLAN_LENGTH};
${SYNC_SOURCE}
Atomics.store(ctrl, READY + index, 1);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, SEQ, seen);
  const seq = Atomics.load(ctrl, SEQ);
  if (seq < 0) break;
  if (seq === seen) continue;
  seen = seq;
  const plan = Array.from(ctrl.subarray(PLAN, PLAN + PLAN_LENGTH));
  let arrived = false;
  try {
    part(f, plan, index + 1, participants, () => { arrived = true; arrive(ctrl, participants); });
  } catch (error) {
    Atomics.store(ctrl, FAILED, 1);
    if (!arrived) arrive(ctrl, participants);
  }
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
`;

export class WasmGemmPool {
  private readonly ctrl: Int32Array;
  private readonly workers: Worker[] = [];
  private seq = 0;

  private constructor(
    private readonly functions: BlockedGemmFunctions,
    private readonly participants: number,
    memory: WebAssembly.Memory,
  ) {
    this.ctrl = new Int32Array(new SharedArrayBuffer((PLAN + PLAN_LENGTH) * 4));
    if (participants <= 1) return;
    const modules = Object.fromEntries(Object.entries(blockedGemmModules(true)).map(([key, bytes]) => [key, new WebAssembly.Module(bytes)]));
    for (let index = 0; index < participants - 1; index += 1) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory, modules, control: this.ctrl.buffer, index, participants, part: PART_SOURCE },
      });
      worker.unref();
      // A helper that fails to start leaves its READY slot at 0: products stay on this thread.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  /** Threads a product may use now: `participants` once every helper has started, else 1. */
  get threads(): number {
    if (this.participants <= 1) return 1;
    for (let index = 0; index < this.participants - 1; index += 1) if (Atomics.load(this.ctrl, READY + index) !== 1) return 1;
    return this.participants;
  }

  /** Runs one product's plan on this thread and the helpers (or this thread alone). */
  run(plan: number[], most?: number): void {
    const threads = Math.min(this.threads, most ?? Number.POSITIVE_INFINITY);
    if (threads === 1) {
      blockedGemmPart(this.functions, plan, 0, 1, () => undefined);
      return;
    }
    const ctrl = this.ctrl;
    ctrl.set(plan, PLAN);
    Atomics.store(ctrl, ARRIVED, 0);
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    this.seq = (this.seq % 1_000_000_000) + 1;
    Atomics.store(ctrl, SEQ, this.seq);
    Atomics.notify(ctrl, SEQ);
    let arrived = false;
    let failure: unknown;
    try {
      blockedGemmPart(this.functions, plan, 0, threads, () => {
        arrived = true;
        arrive(ctrl, threads);
      });
    } catch (error) {
      failure = error;
      if (!arrived) arrive(ctrl, threads);
    }
    waitAtLeast(ctrl, DONE, threads - 1);
    if (failure) throw failure;
    if (Atomics.load(ctrl, FAILED) === 1) throw new Error('@easydistill/llm-tfjs: a wasm GEMM helper thread failed');
  }

  /** Stops the helpers (tests; the process never waits for them). */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, SEQ, -1);
    Atomics.notify(this.ctrl, SEQ);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private static readonly pools = new WeakMap<WebAssembly.Memory, WasmGemmPool>();

  /**
   * The pool for `memory` with `threads` participants (the calling thread included); helpers only
   * where the memory is shared. Null where the GEMM cannot be instantiated (no SIMD).
   */
  static for(memory: WebAssembly.Memory | undefined, threads: number): WasmGemmPool | null {
    if (!memory) return null;
    const existing = WasmGemmPool.pools.get(memory);
    if (existing) return existing;
    const functions = blockedGemmFor(memory);
    if (!functions) return null;
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const pool = new WasmGemmPool(functions, shared ? Math.max(1, Math.min(threads, 17)) : 1, memory);
    WasmGemmPool.pools.set(memory, pool);
    return pool;
  }
}
