import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile } from '@easydistill/llm-tfjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, jsonlDataset, testContext } from '../__fixtures__/test-context';
import { SftTrainer } from './sft-trainer';
import { sftOptionsSchema } from './training-options';

const baseOptions = {
  student: 'tiny-qwen2', epochs: 1, maxSteps: 8, batchSize: 2, gradientAccumulation: 2, learningRate: 2e-3,
  warmupSteps: 2, evalFraction: 0.1, checkpointEvery: 3, seed: 7,
};

async function train(workDir: string, options: Record<string, unknown>, signal?: AbortSignal, onAdvance?: () => void) {
  const trainer = new SftTrainer(sftOptionsSchema.parse(options), testContext({ workDir, signal, onAdvance }));
  return trainer.doTrain({ train: jsonlDataset(join(fixturesDir, 'chats.jsonl')), outputDir: join(workDir, 'out'), checkpointDir: join(workDir, 'checkpoints') });
}

async function weights(dir: string): Promise<Map<string, Float32Array>> {
  const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
  const result = new Map<string, Float32Array>();
  for (const name of file.names()) result.set(name, (await file.read(name)).data as Float32Array);
  await file.close();
  return result;
}

function largestDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let largest = 0;
  for (const [name, values] of a) {
    const other = b.get(name)!;
    for (let index = 0; index < values.length; index += 1) largest = Math.max(largest, Math.abs(values[index]! - other[index]!));
  }
  return largest;
}

describe('stop and resume', () => {
  it('a run killed with SIGKILL and resumed ends with weights identical to an uninterrupted run (cpu)', async () => {
    const options = { ...baseOptions, backend: 'cpu' };
    const straight = mkdtempSync(join(tmpdir(), 'resume-straight-'));
    await train(straight, options);

    const killed = mkdtempSync(join(tmpdir(), 'resume-killed-'));
    const require = createRequire(import.meta.url);
    const tsx = require.resolve('tsx');
    const child = spawn(process.execPath, ['--conditions=@easydistill/source', '--import', tsx, join(fixturesDir, 'train-child.ts'), JSON.stringify({ workDir: killed, options })], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const checkpoints = join(killed, 'checkpoints');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let killedAt: string[] = [];
    while (child.exitCode === null) {
      if (existsSync(checkpoints) && readdirSync(checkpoints).some((name) => name === 'checkpoint-00000003')) {
        child.kill('SIGKILL');
        killedAt = readdirSync(checkpoints);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await exited;
    expect(killedAt, stderr).toContain('checkpoint-00000003');
    expect(existsSync(join(killed, 'out'))).toBe(false);

    const resumed = await train(killed, options);
    expect(resumed.metrics.steps).toBe(8);
    expect(largestDifference(await weights(join(straight, 'out')), await weights(join(killed, 'out')))).toBe(0);
  }, 80_000);

  it('a run stopped mid-way and resumed is within 1e-5 of an uninterrupted run (wasm)', async () => {
    const options = { ...baseOptions, backend: 'wasm', maxSteps: 10 };
    const straight = mkdtempSync(join(tmpdir(), 'resume-wasm-straight-'));
    await train(straight, options);
    const stopped = mkdtempSync(join(tmpdir(), 'resume-wasm-stopped-'));
    const controller = new AbortController();
    let steps = 0;
    await expect(train(stopped, options, controller.signal, () => (steps += 1) === 4 && controller.abort())).rejects.toThrow(/cancelled at step 4/);
    expect(readdirSync(join(stopped, 'checkpoints'))).toEqual(['checkpoint-00000003']);
    const resumed = await train(stopped, options);
    expect(resumed.metrics.steps).toBe(10);
    expect(largestDifference(await weights(join(straight, 'out')), await weights(join(stopped, 'out')))).toBeLessThanOrEqual(1e-5);
    expect(tf.getBackend()).toBe('wasm');
  }, 60_000);
});
