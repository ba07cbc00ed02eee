import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, jsonlDataset, testContext } from '../__fixtures__/test-context';
import { DpoTrainer } from './dpo-trainer';
import { dpoOptionsSchema } from './training-options';

const pairs = join(fixturesDir, 'pairs.jsonl');

describe('DpoTrainer', () => {
  it('raises the chosen-over-rejected margin on held-out pairs, with the reference computed once', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'dpo-'));
    const options = dpoOptionsSchema.parse({
      student: 'tiny-qwen2', backend: 'wasm', epochs: 2, batchSize: 4, learningRate: 2e-3, warmupSteps: 1, beta: 0.1,
      evalFraction: 0.2, checkpointEvery: 100,
    });
    const context = testContext({ workDir });
    const request = { train: jsonlDataset(pairs), outputDir: join(workDir, 'out'), checkpointDir: join(workDir, 'checkpoints') };
    const result = await new DpoTrainer(options, context).doTrain(request);
    expect(result.metrics.initialEvalRewardMargin).toBeCloseTo(0, 4); // policy = reference at the start
    expect(result.metrics.evalRewardMargin).toBeGreaterThan(0.5);
    expect(result.metrics.evalLogProbMargin).toBeGreaterThan(result.metrics.initialEvalLogProbMargin! + 5);
    expect(result.metrics.evalAccuracy).toBe(1);
    expect(existsSync(join(workDir, 'reference-logprobs.json'))).toBe(true);
    expect(context.events.some((event) => String(event.message).includes('reference log-probabilities computed'))).toBe(true);

    // A second run in the same work folder reuses the cached reference.
    const again = testContext({ workDir });
    await new DpoTrainer({ ...options, maxSteps: 1 }, again).doTrain({ ...request, outputDir: join(workDir, 'out2'), checkpointDir: join(workDir, 'c2') });
    expect(again.events.some((event) => String(event.message).includes('reference log-probabilities cached'))).toBe(true);
  }, 300_000);

  it('names the row that lacks chosen/rejected', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'dpo-bad-'));
    const options = dpoOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm' });
    await expect(
      new DpoTrainer(options, testContext({ workDir })).doTrain({ train: jsonlDataset(join(fixturesDir, 'chats.jsonl')), outputDir: join(workDir, 'o'), checkpointDir: join(workDir, 'c') }),
    ).rejects.toThrow(/Row "row-000" .* needs string "chosen" and "rejected"/);
  });
});
