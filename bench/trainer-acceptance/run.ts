/**
 * bench/trainer-acceptance: the figures behind @easydistill/plugin-trainer-tfjs's acceptance tests,
 * printed instead of only asserted, on the package's fixture model (tiny-qwen2) and
 * loss_reference.json (PyTorch):
 *  1. every KD loss and DPO against loss_reference.json (max |difference|) and each KD loss's
 *     gradient against central finite differences (max |difference|);
 *  2. SFT: held-out loss before and after; the same run twice on `cpu` (max |weight difference|);
 *  3. KD toward a fixed teacher distribution: held-out KL before and after;
 *  4. KD from a store the student scored itself (teacher = student), rows written in reverse order:
 *     the KL at step 0 must be 0 when rows are matched by row id and token position;
 *  5. DPO: held-out reward and log-probability margins before and after;
 *  6. a store with another tokenizer: the error before training.
 *
 *   npx tsx --conditions=@easydistill/source bench/trainer-acceptance/run.ts [--out bench/trainer-acceptance/results.md]
 */
import * as tf from '@tensorflow/tfjs';
import { LogitsStoreWriter, type DatasetV1, type RowV1, type RunContextV1, type TopKLogitsV1 } from '@easydistill/core';
import { CausalLM, SafetensorsFile, Tokenizer, initBackend, scoreTopK } from '@easydistill/llm-tfjs';
import {
  DpoTrainer, KdTrainer, SftTrainer, distributionLoss, dpoOptionsSchema, dpoSigmoidLoss, kdOptionsSchema, sftOptionsSchema, topKLoss,
  type DivergenceKind,
} from '@easydistill/plugin-trainer-tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'packages/plugin-trainer-tfjs/src/__fixtures__');
const tinyQwen2 = join(fixtures, 'tiny-qwen2');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const work = mkdtempSync(join(tmpdir(), 'trainer-acceptance-'));

const lines: string[] = [];
const print = (line = '') => {
  lines.push(line);
  console.log(line);
};
const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(2));

function jsonl(path: string, logitsPath?: string): DatasetV1 {
  const rows = () => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as RowV1);
  return { name: 'train', path, logitsPath, async *rows() { yield* rows(); }, count: async () => rows().length };
}
function context(dir: string): RunContextV1 {
  const quiet = () => undefined;
  return {
    runName: 'bench', runDir: dir, workDir: dir, seed: 1234, signal: new AbortController().signal,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    progress: { start: quiet, advance: quiet, end: quiet },
    recipeDir: fixtures,
    getTeacher: () => Promise.reject(new Error('no teacher')),
    resolveModel: (reference) => join(fixtures, reference),
    env: () => undefined,
  };
}
const request = (name: string, dataset: DatasetV1) => ({ train: dataset, outputDir: join(work, name, 'out'), checkpointDir: join(work, name, 'checkpoints') });

print('# plugin-trainer-tfjs acceptance figures');
print();
print(`Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}.`);
print();

// 1. Losses against loss_reference.json (cpu backend, float32).
await tf.setBackend('cpu');
const reference = JSON.parse(readFileSync(join(fixtures, 'loss_reference.json'), 'utf8')) as Record<string, unknown> & {
  student_logits: number[][]; teacher_logits: number[][]; teacher_topk_ids: number[][]; teacher_topk_logprobs: number[][]; dpo: Record<string, number[] | number>;
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(b).reduce((max, value, i) => Math.max(max, Math.abs(a[i]! - value)), 0);
function finiteDifferenceError(loss: (x: tf.Tensor2D) => tf.Tensor): number {
  const at = tf.tensor2d(reference.student_logits);
  const analytic = tf.grad((x: tf.Tensor) => tf.sum(loss(x as tf.Tensor2D)))(at).arraySync() as number[][];
  let worst = 0;
  const epsilon = 1e-2;
  for (let row = 0; row < reference.student_logits.length; row += 1) {
    for (let column = 0; column < reference.student_logits[0]!.length; column += 1) {
      const shifted = (delta: number) => {
        const copy = reference.student_logits.map((line) => line.slice());
        copy[row]![column]! += delta;
        return tf.tidy(() => tf.sum(loss(tf.tensor2d(copy))).dataSync()[0]!);
      };
      worst = Math.max(worst, Math.abs((shifted(epsilon) - shifted(-epsilon)) / (2 * epsilon) - analytic[row]![column]!));
    }
  }
  return worst;
}
print('## Losses against loss_reference.json (6 rows × 50 logits; cpu, float32)');
print();
print('| loss | max abs diff vs reference (6 rows) | max abs diff gradient vs central finite differences (ε = 1e-2, all 300 logits) |');
print('|---|---|---|');
const student = () => tf.tensor2d(reference.student_logits);
const teacher = tf.tensor2d(reference.teacher_logits);
const topIds = tf.tensor2d(reference.teacher_topk_ids, undefined, 'int32');
const topLogprobs = tf.tensor2d(reference.teacher_topk_logprobs);
const cases: Array<[string, DivergenceKind, number, number?]> = [
  ['forward_kl_T1', 'forward-kl', 1], ['forward_kl_T2', 'forward-kl', 2], ['reverse_kl_T1', 'reverse-kl', 1], ['reverse_kl_T2', 'reverse-kl', 2],
  ['generalized_jsd_beta0.1', 'jsd', 1, 0.1], ['generalized_jsd_beta0.5', 'jsd', 1, 0.5], ['generalized_jsd_beta0.9', 'jsd', 1, 0.9],
];
for (const [key, kind, temperature, beta] of cases) {
  const options = { kind, temperature, beta };
  const value = distributionLoss(student(), teacher, options).dataSync();
  print(`| ${key} | ${fmt(maxDiff(value, reference[key] as number[]))} | ${fmt(finiteDifferenceError((x) => distributionLoss(x, teacher, options)))} |`);
}
for (const [key, mode] of [['topk_forward_kl_renormalized_teacher', 'renormalize'], ['topk_forward_kl_raw_teacher', 'raw']] as const) {
  const options = { kind: 'forward-kl' as const, mode };
  const value = topKLoss(student(), topIds, topLogprobs, options).dataSync();
  print(`| ${key} | ${fmt(maxDiff(value, reference[key] as number[]))} | ${fmt(finiteDifferenceError((x) => topKLoss(x, topIds, topLogprobs, options)))} |`);
}
for (const kind of ['forward-kl', 'reverse-kl', 'jsd'] as const) {
  const options = { kind, mode: 'tail' as const, temperature: 1.5, beta: 0.3 };
  print(`| top-k ${kind}, tail bucket, T = 1.5 (no reference value) | — | ${fmt(finiteDifferenceError((x) => topKLoss(x, topIds, topLogprobs, options)))} |`);
}
const dpo = reference.dpo;
const dpoLoss = dpoSigmoidLoss(
  { chosen: tf.tensor1d(dpo.policy_chosen_logps as number[]), rejected: tf.tensor1d(dpo.policy_rejected_logps as number[]) },
  { chosen: tf.tensor1d(dpo.reference_chosen_logps as number[]), rejected: tf.tensor1d(dpo.reference_rejected_logps as number[]) },
  dpo.beta as number,
).dataSync();
print(`| DPO sigmoid, β = ${dpo.beta} | ${fmt(maxDiff(dpoLoss, dpo.sigmoid_loss as number[]))} | — |`);
print();

// 2-6. Training on the fixture model.
const chats = join(fixtures, 'chats.jsonl');
const rows = readFileSync(chats, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RowV1);
print('## Training on tiny-qwen2 (48 chats / 40 preference pairs)');
print();
print('| run | options | measure | start | end | end / start |');
print('|---|---|---|---|---|---|');
const row = (run: string, options: string, measure: string, start: number, end: number) => print(`| ${run} | ${options} | ${measure} | ${fmt(start)} | ${fmt(end)} | ${fmt(end / start)} |`);

const sftOptions = { student: 'tiny-qwen2', backend: 'wasm', epochs: 3, batchSize: 8, learningRate: 3e-3, warmupSteps: 2, evalFraction: 0.2, checkpointEvery: 5, weightDecay: 0.01 } as const;
const sft = await new SftTrainer(sftOptionsSchema.parse(sftOptions), context(work)).doTrain(request('sft', jsonl(chats)));
row('SFT (wasm)', 'epochs 3, batch 8, lr 3e-3, warm-up 2, cosine, wd 0.01, eval 20 %', 'held-out loss', sft.metrics.initialEvalLoss!, sft.metrics.evalLoss!);

const fixedIds = [40, 41, 42, 43, 44, 45, 46, 47];
const fixedLogprobs = [0.4, 0.2, 0.1, 0.1, 0.08, 0.06, 0.04, 0.02].map(Math.log);
const tokenizer = await Tokenizer.load(tinyQwen2);
function fixedStore(name: string, shift = 0): string {
  const path = join(work, `${name}.logits`);
  const writer = LogitsStoreWriter.open(path, { k: fixedIds.length });
  for (const item of [...rows].reverse()) {
    const tokenIds = Int32Array.from(tokenizer.encode(item.output!, { addSpecialTokens: false }), (id) => id + shift);
    writer.append(item.id, {
      k: fixedIds.length,
      tokenIds,
      topIds: Int32Array.from({ length: tokenIds.length * fixedIds.length }, (_, i) => fixedIds[i % fixedIds.length]!),
      topLogprobs: Float32Array.from({ length: tokenIds.length * fixedIds.length }, (_, i) => fixedLogprobs[i % fixedIds.length]!),
    });
  }
  writer.close();
  return path;
}
const kdOptions = { student: 'tiny-qwen2', backend: 'wasm', epochs: 4, batchSize: 8, learningRate: 5e-3, warmupSteps: 1, alpha: 1, loss: 'forward-kl', topKMode: 'renormalize', evalFraction: 0.1, checkpointEvery: 100 } as const;
const kd = await new KdTrainer(kdOptionsSchema.parse(kdOptions), context(work)).doTrain(request('kd', jsonl(chats, fixedStore('fixed'))));
row('KD toward a fixed top-8 (wasm)', 'epochs 4, batch 8, lr 5e-3, α 1, forward KL, renormalised', 'held-out KL per teacher token', kd.metrics.initialEvalKd!, kd.metrics.evalKd!);

// The student scores its own responses (teacher = student): rows in reverse order in the store.
const selfPath = join(work, 'self.logits');
{
  await initBackend('wasm');
  const model = await CausalLM.load(tinyQwen2);
  const writer = LogitsStoreWriter.open(selfPath, { k: 8 });
  for (const item of [...rows].reverse()) {
    const prompt = tokenizer.encodeChat([{ role: 'user', content: item.instruction! }], { addGenerationPrompt: true });
    const response = tokenizer.encode(item.output!, { addSpecialTokens: false });
    const scored = await scoreTopK(model, prompt, response, 8);
    const logits: TopKLogitsV1 = {
      k: 8,
      tokenIds: Int32Array.from(response),
      topIds: Int32Array.from(scored.flatMap((token) => token.top.map((entry) => entry.id))),
      topLogprobs: Float32Array.from(scored.flatMap((token) => token.top.map((entry) => entry.logprob))),
    };
    writer.append(item.id, logits);
  }
  writer.close();
  model.dispose();
}
for (const mode of ['tail', 'renormalize'] as const) {
  const aligned = await new KdTrainer(kdOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm', maxSteps: 1, alpha: 1, topKMode: mode, evalFraction: 0.2, seed: 5 }), context(work)).doTrain(request(`aligned-${mode}`, jsonl(chats, selfPath)));
  print(`| KD, teacher = the student itself (wasm) | store rows in reverse order, top-8, ${mode} | held-out KL at step 0 (${mode === 'tail' ? '0 when aligned by row id and position' : '−log of the top-8 mass when aligned, not 0'}) | ${fmt(aligned.metrics.initialEvalKd!)} | — | — |`);
}

const pairs = join(fixtures, 'pairs.jsonl');
const dpoRun = await new DpoTrainer(dpoOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm', epochs: 2, batchSize: 4, learningRate: 2e-3, warmupSteps: 1, beta: 0.1, evalFraction: 0.2, checkpointEvery: 100 }), context(work)).doTrain(request('dpo', jsonl(pairs)));
print(`| DPO (wasm) | epochs 2, batch 4, lr 2e-3, β 0.1, eval 20 % | held-out reward margin β·Δ | ${fmt(dpoRun.metrics.initialEvalRewardMargin!)} | ${fmt(dpoRun.metrics.evalRewardMargin!)} | — |`);
print(`| DPO (wasm) | same run | held-out log-probability margin (chosen − rejected) | ${fmt(dpoRun.metrics.initialEvalLogProbMargin!)} | ${fmt(dpoRun.metrics.evalLogProbMargin!)} | — |`);
print(`| DPO (wasm) | same run | held-out accuracy (chosen preferred) | ${fmt(dpoRun.metrics.initialEvalAccuracy ?? Number.NaN)} | ${fmt(dpoRun.metrics.evalAccuracy!)} | — |`);
print();

// Repeatability: the same SFT run twice on cpu.
async function weights(dir: string): Promise<Map<string, Float32Array>> {
  const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
  const result = new Map<string, Float32Array>();
  for (const name of file.names()) result.set(name, (await file.read(name)).data as Float32Array);
  await file.close();
  return result;
}
const repeatOptions = sftOptionsSchema.parse({ ...sftOptions, backend: 'cpu', epochs: 1, maxSteps: 4, batchSize: 4, seed: 11 });
const first = await new SftTrainer(repeatOptions, context(work)).doTrain(request('repeat-1', jsonl(chats)));
const second = await new SftTrainer(repeatOptions, context(work)).doTrain(request('repeat-2', jsonl(chats)));
const a = await weights(first.modelDir);
const b = await weights(second.modelDir);
let largest = 0;
for (const [name, data] of a) largest = Math.max(largest, maxDiff(b.get(name)!, data));
print(`Repeatability: the same SFT run (cpu, seed 11, 4 steps) twice: max |weight difference| = ${fmt(largest)} over ${a.size} tensors.`);
print();

// Tokenizer mismatch: ids shifted by 3, as another tokenizer's would be.
const mismatch = await new KdTrainer(kdOptionsSchema.parse({ student: 'tiny-qwen2', backend: 'wasm', maxSteps: 2 }), context(work))
  .doTrain(request('mismatch', jsonl(chats, fixedStore('shifted', 3))))
  .then(() => 'no error', (error: Error & { code?: string }) => `${error.code ?? error.name}: ${error.message}`);
print(`Tokenizer mismatch (teacher ids shifted by 3): \`${mismatch}\``);
rmSync(work, { recursive: true, force: true });
if (values.out) writeFileSync(values.out, `${lines.join('\n')}\n`);
