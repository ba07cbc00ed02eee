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
  student: 'tiny-qwen2', epochs: 1, maxSteps: 5, batchSize: 1, gradientAccumulation: 2, learningRate: 2e-3,
  warmupSteps: 2, evalFraction: 0.05, checkpointEvery: 3, seed: 7,
};

async function train(workDir: string, options: Record<string, unknown>, signal?: AbortSignal, onAdvance?: (done: number) => void) {
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

/** Trains in a child process and SIGKILLs it as soon as checkpoint 3 is on disk; returns the folders then present. */
async function trainAndKill(workDir: string, options: Record<string, unknown>): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const tsx = require.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=@easydistill/source', '--import', tsx, join(fixturesDir, 'train-child.ts'), JSON.stringify({ workDir, options })], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const checkpoints = join(workDir, 'checkpoints');
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
  expect(existsSync(join(workDir, 'out'))).toBe(false);
  return killedAt;
}

describe('stop and resume', () => {
  it.each([
    ['cpu', 0],
    ['wasm', 1e-5],
  ])('a run killed with SIGKILL and resumed ends with the weights of an uninterrupted run (%s, within %s)', async (backend, tolerance) => {
    const options = { ...baseOptions, backend };
    const straight = mkdtempSync(join(tmpdir(), `resume-${backend}-straight-`));
    await train(straight, options);
    const killed = mkdtempSync(join(tmpdir(), `resume-${backend}-killed-`));
    await trainAndKill(killed, options);
    const resumed = await train(killed, options);
    expect(resumed.metrics.steps).toBe(5);
    expect(largestDifference(await weights(join(straight, 'out')), await weights(join(killed, 'out')))).toBeLessThanOrEqual(tolerance);
    expect(tf.getBackend()).toBe(backend);
  }, 400_000);

  it('a run cancelled through its signal keeps its last checkpoint and resumes from it', async () => {
    const options = { ...baseOptions, backend: 'wasm', maxSteps: 5 };
    const straight = mkdtempSync(join(tmpdir(), 'resume-wasm-straight-'));
    await train(straight, options);
    const stopped = mkdtempSync(join(tmpdir(), 'resume-wasm-stopped-'));
    const controller = new AbortController();
    let steps = 0;
    await expect(train(stopped, options, controller.signal, (done) => done === 1 && (steps += 1) === 4 && controller.abort())).rejects.toThrow(/cancelled at step 4/);
    expect(readdirSync(join(stopped, 'checkpoints'))).toEqual(['checkpoint-00000003']);
    const resumed = await train(stopped, options);
    expect(resumed.metrics.steps).toBe(5);
    expect(largestDifference(await weights(join(straight, 'out')), await weights(join(stopped, 'out')))).toBeLessThanOrEqual(1e-5);
  }, 300_000);

  it('refuses to resume a checkpoint written with other training options', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'resume-other-'));
    await train(workDir, { ...baseOptions, backend: 'wasm', maxSteps: 3 });
    await expect(train(workDir, { ...baseOptions, backend: 'wasm', maxSteps: 3, learningRate: 1e-3 })).rejects.toThrow(/checkpoint .*checkpoint-00000003 was written with other training options/);
  }, 300_000);
});
