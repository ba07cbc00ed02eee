import * as tf from '@tensorflow/tfjs';
import { CausalLM, Tokenizer } from '@easydistill/llm-tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, jsonlDataset, testContext, tinyQwen2 } from '../__fixtures__/test-context';
import { tokenizeChat } from '../data/tokenize-chat';
import { SftTrainer } from './sft-trainer';
import { sftOptionsSchema } from './training-options';

const chats = join(fixturesDir, 'chats.jsonl');

describe('tokenizeChat', () => {
  it('marks only the assistant tokens (content and <|im_end|>) for the loss', async () => {
    const tokenizer = await Tokenizer.load(tinyQwen2);
    const messages = [
      { role: 'user' as const, content: 'Hi there' },
      { role: 'assistant' as const, content: 'Hello you' },
      { role: 'user' as const, content: 'Again' },
      { role: 'assistant' as const, content: 'Sure' },
    ];
    const chat = tokenizeChat(tokenizer, messages, 'r1');
    expect(chat.ids).toEqual(tokenizer.encodeChat(messages));
    const trained = chat.ids.filter((_, index) => chat.assistant[index]);
    expect(tokenizer.decode(trained)).toBe('Hello you<|im_end|>\nSure<|im_end|>\n');
  });
});

describe('SftTrainer', () => {
  it('lowers the held-out loss on the fixture model and writes a folder llm-tfjs loads', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'sft-'));
    const options = sftOptionsSchema.parse({
      student: 'tiny-qwen2', backend: 'wasm', epochs: 3, batchSize: 8, learningRate: 3e-3, warmupSteps: 2,
      evalFraction: 0.2, checkpointEvery: 5, weightDecay: 0.01,
    });
    const context = testContext({ workDir });
    const trainer = new SftTrainer(options, context);
    const result = await trainer.doTrain({ train: jsonlDataset(chats), outputDir: join(workDir, 'out'), checkpointDir: join(workDir, 'checkpoints') });
    expect(result.metrics.evalLoss).toBeLessThan(result.metrics.initialEvalLoss! * 0.7);
    // Metrics as they go, through the progress reporter (core appends them to the stage's metrics.jsonl).
    const advances = context.events.filter((event) => event.progress === 'advance') as Array<{ done: number; metrics: Record<string, number> }>;
    const steps = advances.filter((event) => event.done === 1);
    expect(steps).toHaveLength(result.metrics.steps!);
    expect(steps[0]!.metrics.step).toBe(1);
    for (const key of ['loss', 'learningRate', 'tokensPerSecond', 'memoryMegabytes', 'etaSeconds']) expect(typeof steps[0]!.metrics[key]).toBe('number');
    expect(steps.at(-1)!.metrics.tensorMegabytes).toBe(steps[1]!.metrics.tensorMegabytes); // no tensors leak from step to step
    const evals = advances.filter((event) => event.done === 0).map((event) => event.metrics);
    expect(evals.map((metrics) => metrics.step)).toEqual([0, result.metrics.steps]);
    expect(evals[1]!.evalLoss).toBe(result.metrics.evalLoss);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'chat_template.jinja', 'trainer_state.json']) {
      expect(existsSync(join(result.modelDir, file)), file).toBe(true);
    }
    const model = await CausalLM.load(result.modelDir);
    const logits = model.forward(tf.tensor2d([[1, 5, 9]], [1, 3], 'int32'));
    expect(logits.shape).toEqual([1, 3, 1000]);
    model.dispose();
  }, 300_000);
});
