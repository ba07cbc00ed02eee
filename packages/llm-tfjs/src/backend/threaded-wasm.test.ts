import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/**
 * The threaded wasm build (`wasmThreads: 2`) in a process of its own: XNNPACK's 2 threads, the
 * blocked GEMM with its helper thread on the shared heap, products equal to cpu's and the tiny
 * Qwen2's loss and gradients equal to transformers' (the llm-tfjs tolerances).
 */
describe('threaded wasm build', () => {
  it('runs the blocked GEMM on 2 threads and matches cpu and the transformers reference', () => {
    const child = fileURLToPath(new URL('../test-support/threaded-wasm-child.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--conditions=@easydistill/source', '--import', require.resolve('tsx'), child], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { shared: boolean; xnnpackThreads: number; gemmThreads: number; productDiffs: number[]; lossError: number; gradientError: number };
    expect(result.shared).toBe(true);
    expect(result.xnnpackThreads).toBe(2);
    expect(result.gemmThreads).toBe(2);
    for (const diff of result.productDiffs) expect(diff).toBeLessThan(1e-4);
    expect(result.lossError).toBeLessThan(1e-5);
    expect(result.gradientError).toBeLessThan(1e-3);
  }, 150_000);
});
