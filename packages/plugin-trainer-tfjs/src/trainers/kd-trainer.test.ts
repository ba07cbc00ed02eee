import { LogitsStoreReader, LogitsStoreWriter, type RowV1, type TopKLogitsV1 } from '@easydistill/core';
import { CausalLM, Tokenizer, initBackend } from '@easydistill/llm-tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, jsonlDataset, testContext, tinyQwen2 } from '../__fixtures__/test-context';
import { KdTrainer, kdTask, readKdExamples } from './kd-trainer';
import { kdOptionsSchema } from './training-options';

const chats = join(fixturesDir, 'chats.jsonl');
const rows = readFileSync(chats, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RowV1);

/** The same teacher distribution at every response position: 8 fixed ids with fixed probabilities. */
const fixedIds = [40, 41, 42, 43, 44, 45, 46, 47];
const fixedLogprobs = [0.4, 0.2, 0.1, 0.1, 0.08, 0.06, 0.04, 0.02].map(Math.log);

async function writeStore(dir: string, shift = 0): Promise<string> {
  const tokenizer = await Tokenizer.load(tinyQwen2);
  const path = join(dir, 'train.logits');
  const writer = LogitsStoreWriter.open(path, { k: fixedIds.length });
  // Written in reverse order: the trainer must match by row id, not by position.
  for (const row of [...rows].reverse()) {
    const tokenIds = Int32Array.from(tokenizer.encode(row.output!, { addSpecialTokens: false }), (id) => id + shift);
    const logits: TopKLogitsV1 = {
      k: fixedIds.length,
      tokenIds,
      topIds: Int32Array.from({ length: tokenIds.length * fixedIds.length }, (_, index) => fixedIds[index % fixedIds.length]!),
      topLogprobs: Float32Array.from({ length: tokenIds.length * fixedIds.length }, (_, index) => fixedLogprobs[index % fixedIds.length]!),
    };
    writer.append(row.id, logits);
  }
  writer.close();
  return path;
}

describe('KdTrainer', () => {
  it('drives the KL toward a fixed teacher distribution below a tenth of its start', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'kd-'));
    const logitsPath = await writeStore(workDir);
    const options = kdOptionsSchema.parse({
      student: 'tiny-qwen2', backend: 'wasm', epochs: 4, batchSize: 8, learningRate: 5e-3, warmupSteps: 1,
      alpha: 1, loss: 'forward-kl', topKMode: 'renormalize', evalFraction: 0.1, checkpointEvery: 100,
    });
    const result = await new KdTrainer(options, testContext({ workDir })).doTrain({
      train: jsonlDataset(chats, logitsPath),
      outputDir: join(workDir, 'out'),
      checkpointDir: join(workDir, 'checkpoints'),
    });
    expect(result.metrics.initialEvalKd).toBeGreaterThan(1);
    expect(result.metrics.evalKd).toBeLessThan(result.metrics.initialEvalKd! / 10);

    // The same measure on every row, with the final model loaded back from its folder.
    await initBackend('wasm');
    const tokenizer = await Tokenizer.load(result.modelDir);
    const reader = LogitsStoreReader.open(logitsPath);
    const examples = await readKdExamples({ train: jsonlDataset(chats, logitsPath), outputDir: '', checkpointDir: '' }, reader, tokenizer, 1000, 1024, testContext({ workDir }));
    const task = kdTask(examples, reader, options, 1, 0);
    const before = await CausalLM.load(tinyQwen2);
    const after = await CausalLM.load(result.modelDir);
    const start = task.evaluate(before, examples).evalKd!;
    const end = task.evaluate(after, examples).evalKd!;
    expect(end).toBeLessThan(start / 10);
    reader.close();
  }, 300_000);

  it('refuses a teacher with another tokenizer before training', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'kd-mismatch-'));
    const logitsPath = await writeStore(workDir, 3);
    const options = kdOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm', maxSteps: 2 });
    await expect(
      new KdTrainer(options, testContext({ workDir })).doTrain({ train: jsonlDataset(chats, logitsPath), outputDir: join(workDir, 'out'), checkpointDir: join(workDir, 'checkpoints') }),
    ).rejects.toThrow(/Teacher and student tokenizers differ: row "row-\d+"/);
    expect(existsSync(join(workDir, 'checkpoints'))).toBe(false);
  });

  it('says what to do when the dataset has no logits store', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'kd-nostore-'));
    const options = kdOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm' });
    await expect(
      new KdTrainer(options, testContext({ workDir })).doTrain({ train: jsonlDataset(chats), outputDir: join(workDir, 'out'), checkpointDir: join(workDir, 'c') }),
    ).rejects.toThrow(/has no logits store.*topLogprobs/);
  });
});
