import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CausalLM, Tokenizer } from '@easydistill/llm-tfjs';
import { runServe, type RunningServer } from '@easydistill/plugin-teacher-local';
import { afterAll, describe, expect, it } from 'vitest';

// A staged recipe from the built CLI (`npm run build` first, as `npm test` does): the teacher (the
// fixture model, in process through teacher-local/hf) scores the dataset's responses into a logits
// store with synth/respond; trainer-tfjs/sft trains the student on the responses, then
// trainer-tfjs/kd continues from the SFT stage's model toward the stored teacher top-k. A last KD
// stage starts from the teacher itself, so its KL must start at 0.
const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'packages/plugin-trainer-tfjs/src/__fixtures__');
const cli = join(root, 'packages/core/bin/easydistill.js');

function recipe(model: string): string {
  const training = 'backend: wasm, seed: 5, evalFraction: 0.2, epochs: 3, batchSize: 8, learningRate: 0.003, warmupSteps: 1, checkpointEvery: 5';
  return `apiVersion: easydistill/v1
name: staged
seed: 3
plugins: ["@easydistill/plugin-teacher-local", "@easydistill/plugin-synth", "@easydistill/plugin-trainer-tfjs"]
components:
  teacher: { use: teacher-local/hf, options: { model: ${JSON.stringify(model)}, backend: wasm } }
datasets:
  chats: { path: ./chats.jsonl, format: alpaca }
stages:
  - { id: score, use: synth/respond, with: { teacher: teacher, score: true, useExistingOutput: true, topLogprobs: 8 }, in: chats, out: scored }
  - { id: sft, use: trainer-tfjs/sft, with: { student: ${JSON.stringify(model)}, ${training} }, in: chats, out: sft-model }
  - { id: kd, use: trainer-tfjs/kd, with: { from: sft-model, alpha: 1, loss: forward-kl, ${training} }, in: scored, out: student }
  - { id: aligned, use: trainer-tfjs/kd, with: { student: ${JSON.stringify(model)}, topKMode: tail, alpha: 1, maxSteps: 1, backend: wasm, seed: 5, evalFraction: 0.2 }, in: scored, out: same-model }
  - { id: score-full, use: synth/respond, with: { teacher: teacher, score: true, useExistingOutput: true, topLogprobs: 5000 }, in: chats, out: scored-full }
  - { id: aligned-top8, use: trainer-tfjs/kd, with: { student: ${JSON.stringify(model)}, alpha: 1, maxSteps: 1, backend: wasm, seed: 5, evalFraction: 0.2 }, in: scored, out: same-model-top8 }
  - { id: aligned-full, use: trainer-tfjs/kd, with: { student: ${JSON.stringify(model)}, alpha: 1, maxSteps: 1, backend: wasm, seed: 5, evalFraction: 0.2 }, in: scored-full, out: same-model-full }
`;
}

/** Runs the built CLI in `cwd` (without vitest's environment, so plugins load from their dist). */
function runCli(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const { VITEST: _vitest, VITEST_POOL_ID: _pool, VITEST_WORKER_ID: _worker, NODE_OPTIONS: _options, ...env } = process.env;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const readJsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('staged distillation from the CLI (SFT then KD)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainer-staged-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs score → sft → kd end to end; kd starts from the sft model and lowers the KL; the student serves', async () => {
    expect(existsSync(join(root, 'packages/plugin-trainer-tfjs/dist/index.js')), 'build first: npx nx run-many -t build').toBe(true);
    copyFileSync(join(fixtures, 'chats.jsonl'), join(dir, 'chats.jsonl'));
    writeFileSync(join(dir, 'recipe.yaml'), recipe(join(fixtures, 'tiny-qwen2')));
    const run = await runCli(['run', 'recipe.yaml'], dir);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/\[kd\] .*loss=.*learningRate=.*tokensPerSecond=/);

    const stages = join(dir, 'runs/staged/stages');
    const sft = JSON.parse(readFileSync(join(stages, 'sft/result.json'), 'utf8')) as { modelDir: string; metrics: Record<string, number> };
    const kd = JSON.parse(readFileSync(join(stages, 'kd/result.json'), 'utf8')) as { modelDir: string; metrics: Record<string, number> };
    expect(sft.metrics.evalLoss).toBeLessThan(sft.metrics.initialEvalLoss!);
    // Same seed, same held-out rows, same tokens: KD's starting eval loss is the SFT model's final one.
    expect(kd.metrics.initialEvalLoss).toBeCloseTo(sft.metrics.evalLoss!, 3);
    expect(kd.metrics.evalKd).toBeLessThan(kd.metrics.initialEvalKd! * 0.8);
    expect(kd.modelDir).toBe(join(stages, 'kd/model'));
    // The teacher's scores, matched by row id and token position, are the student's own when the
    // student is the teacher: with the tail bucket the KL is 0 (an off-by-one position would not be).
    const aligned = JSON.parse(readFileSync(join(stages, 'aligned/result.json'), 'utf8')) as { metrics: Record<string, number> };
    expect(aligned.metrics.initialEvalKd).toBeLessThan(1e-5);
    // Full-vocabulary KD: asked for more than the vocabulary (1,000 tokens), the store keeps the
    // whole distribution, so the renormalised target is the teacher's exact distribution and the
    // KL of the teacher to itself is 0 (float16 storage aside), where top-8 renormalised is not.
    const store = readFileSync(join(stages, 'score-full/logits.bin'));
    expect(store.readUInt16LE(10)).toBe(5000); // k in the file header: the asked k, padded past the vocabulary
    const alignedFull = JSON.parse(readFileSync(join(stages, 'aligned-full/result.json'), 'utf8')) as { metrics: Record<string, number> };
    const alignedTop8 = JSON.parse(readFileSync(join(stages, 'aligned-top8/result.json'), 'utf8')) as { metrics: Record<string, number> };
    expect(alignedFull.metrics.initialEvalKd).toBeLessThan(1e-4);
    expect(alignedTop8.metrics.initialEvalKd).toBeGreaterThan(100 * alignedFull.metrics.initialEvalKd!);

    // Metrics as they went, in the stage's metrics.jsonl: every step and the evaluations.
    const metrics = readJsonl(join(stages, 'kd/metrics.jsonl'));
    const steps = metrics.filter((line) => line.loss !== undefined);
    expect(steps).toHaveLength(kd.metrics.steps!);
    for (const key of ['loss', 'kd', 'learningRate', 'tokensPerSecond', 'memoryMegabytes', 'etaSeconds']) expect(typeof steps[0]![key], key).toBe('number');
    expect(metrics.filter((line) => line.evalKd !== undefined).map((line) => line.step)).toEqual([0, kd.metrics.steps]);

    // The final folder is a Hugging Face folder: llm-tfjs loads it, and easydistill serve answers with it.
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'trainer_state.json']) {
      expect(existsSync(join(kd.modelDir, file)), file).toBe(true);
    }
    const model = await CausalLM.load(kd.modelDir);
    model.dispose();
    expect((await Tokenizer.load(kd.modelDir)).hasChatTemplate).toBe(true);
    const stop = new AbortController();
    let listening: (server: RunningServer) => void = () => {};
    const ready = new Promise<RunningServer>((resolve) => (listening = resolve));
    const io = { stdout: process.stdout, stderr: process.stderr, cwd: dir, env: {} };
    const served = runServe(['--model', kd.modelDir, '--port', '0', '--backend', 'wasm', '--served-model-name', 'student'], io, { stopSignal: stop.signal, onListening: listening });
    const server = await Promise.race([ready, served.then((code) => Promise.reject(new Error(`serve exited with ${code}`)))]);
    try {
      const response = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'student', messages: [{ role: 'user', content: 'Describe coffee in one sentence.' }], max_tokens: 6, temperature: 0 }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } };
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
      expect(typeof body.choices[0]!.message.content).toBe('string');
    } finally {
      stop.abort();
      expect(await served).toBe(0);
    }
  }, 180_000);
});
