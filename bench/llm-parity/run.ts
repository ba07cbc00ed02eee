/**
 * bench/llm-parity: the figures behind @easydistill/llm-tfjs's parity tests, printed instead of
 * only asserted. For tiny-qwen2 and tiny-llama (transformers 5.17 references, float32, copied into
 * packages/llm-tfjs/src/__fixtures__) on each backend: max |logit difference| per chat, top-10 ids
 * equal, max |top-10 log-probability difference|, 16-token greedy continuations equal (one by one
 * and as a left-padded batch), padded-batch loss relative error, the largest per-parameter gradient
 * relative error (‖g − g_ref‖ / ‖g_ref‖); tokenizer ids and chat renderings against
 * tokenizer_reference.json; and the save round trip (f32, and bf16 sharded).
 *
 *   npx tsx --conditions=@easydistill/source bench/llm-parity/run.ts [--backends cpu,wasm] [--out bench/llm-parity/results.md]
 */
import * as tf from '@tensorflow/tfjs';
import {
  CausalLM, causalLmLoss, generate, initBackend, loadPretrained, SafetensorsFile, SafetensorsFolder, Tokenizer,
  bf16ToFloat32, float32ToBf16, type LoadedTensor,
} from '@easydistill/llm-tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(root, 'packages/llm-tfjs/src/__fixtures__');
const MODELS = ['tiny-qwen2', 'tiny-llama'];
const { values } = parseArgs({ options: { backends: { type: 'string', default: 'cpu,wasm' }, out: { type: 'string' } } });
const backends = values.backends!.split(',');

async function loadReference(model: string): Promise<Map<string, LoadedTensor>> {
  const file = await SafetensorsFile.open(join(FIXTURES, `${model}.reference.safetensors`));
  const tensors = new Map<string, LoadedTensor>();
  for (const name of file.names()) tensors.set(name, await file.read(name));
  await file.close();
  return tensors;
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};
const relativeNormDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i += 1) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
};
const sameIds = <T>(a: ArrayLike<T>, b: ArrayLike<T>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
const fmt = (x: number) => (x === 0 ? '0' : x.toExponential(2));

const lines: string[] = [];
const print = (line: string) => {
  lines.push(line);
  console.log(line);
};
print(`# llm-tfjs parity figures`);
print('');
print(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}.`);
print('');

// Tokenizer: independent of backend.
const tokenizerReference = JSON.parse(readFileSync(join(FIXTURES, 'tokenizer_reference.json'), 'utf8')) as {
  strings: { text: string; ids: number[]; decoded: string }[];
  chats: { messages: { role: string; content: string }[]; text: string; ids: number[] }[];
};
print('## Tokenizer and chat template (tokenizer_reference.json)');
print('');
print('| model | strings: ids equal | strings: decoded equal | chats: rendered text equal | chats: ids equal |');
print('|---|---|---|---|---|');
for (const model of MODELS) {
  const tokenizer = await Tokenizer.load(join(FIXTURES, model));
  const s = tokenizerReference.strings;
  const c = tokenizerReference.chats;
  const ids = s.filter((item) => sameIds(tokenizer.encode(item.text, { addSpecialTokens: false }), item.ids)).length;
  const decoded = s.filter((item) => tokenizer.decode(item.ids) === item.decoded).length;
  const text = c.filter((chat) => tokenizer.applyChatTemplate(chat.messages, { addGenerationPrompt: true }) === chat.text).length;
  const chatIds = c.filter((chat) => sameIds(tokenizer.encodeChat(chat.messages, { addGenerationPrompt: true }), chat.ids)).length;
  print(`| ${model} | ${ids}/${s.length} | ${decoded}/${s.length} | ${text}/${c.length} | ${chatIds}/${c.length} |`);
}
print('');

print('## Model parity against transformers 5.17 (float32)');
print('');
print('| backend | model | chat | tokens | max abs logit diff | top-10 ids equal | max abs top-10 logprob diff | greedy 16 equal (alone / batch) |');
print('|---|---|---|---|---|---|---|---|');
const lossRows: string[] = [];
for (const backend of backends) {
  if ((await initBackend(backend as 'cpu')) !== backend) throw new Error(`backend ${backend} did not start`);
  for (const modelName of MODELS) {
    const { model, tokenizer } = await loadPretrained(join(FIXTURES, modelName));
    const reference = await loadReference(modelName);
    const prompt = (chat: number) => Array.from(reference.get(`ids_${chat}`)!.data);
    const batch = await generate(model, tokenizer, [0, 1, 2].map(prompt), { maxTokens: 16, eosTokenIds: [] });
    for (let chat = 0; chat < 3; chat += 1) {
      const ids = reference.get(`ids_${chat}`)!;
      const T = ids.shape[0];
      const logits = tf.tidy(() => tf.reshape(model.forward(tf.tensor2d(ids.data as Int32Array, [1, T], 'int32')), [T, -1]));
      const top = tf.topk(logits, 10);
      const topLog = tf.tidy(() => tf.topk(tf.logSoftmax(logits), 10).values);
      const alone = await generate(model, tokenizer, [prompt(chat)], { maxTokens: 16, eosTokenIds: [] });
      const greedy = reference.get(`greedy_${chat}`)!.data;
      print(
        `| ${backend} | ${modelName} | ${chat} | ${T} | ${fmt(maxAbsDiff(logits.dataSync(), reference.get(`logits_${chat}`)!.data))} | ` +
          `${sameIds(top.indices.dataSync(), reference.get(`top10_ids_${chat}`)!.data) ? 'yes' : 'NO'} | ` +
          `${fmt(maxAbsDiff(topLog.dataSync(), reference.get(`top10_logprobs_${chat}`)!.data))} | ` +
          `${sameIds(alone[0]!.tokenIds, greedy) ? 'yes' : 'NO'} / ${sameIds(batch[chat]!.tokenIds, greedy) ? 'yes' : 'NO'} |`,
      );
      tf.dispose([logits, top.values, top.indices, topLog]);
    }
    // Padded-batch loss and gradients.
    const bIds = reference.get('batch_ids')!;
    const bMask = reference.get('batch_mask')!;
    const inputIds = tf.tensor2d(bIds.data as Int32Array, bIds.shape as [number, number], 'int32');
    const attentionMask = tf.tensor2d(bMask.data as Int32Array, bMask.shape as [number, number], 'int32');
    const { value, grads } = tf.variableGrads(() => causalLmLoss(model.forward(inputIds, { attentionMask }), inputIds, attentionMask), model.trainableVariables());
    const expected = reference.get('batch_loss')!.data[0]!;
    const loss = value.dataSync()[0]!;
    let worst = 0;
    let worstName = '';
    let count = 0;
    for (const [name, variable] of model.namedParameters()) {
      const error = relativeNormDiff(grads[variable.name]!.dataSync(), reference.get(`grad.${name}`)!.data);
      count += 1;
      if (error > worst) [worst, worstName] = [error, name];
    }
    lossRows.push(`| ${backend} | ${modelName} | ${loss.toFixed(7)} | ${expected.toFixed(7)} | ${fmt(Math.abs(loss - expected) / expected)} | ${count} | ${fmt(worst)} (${worstName}) |`);
    tf.dispose([value, ...Object.values(grads), inputIds, attentionMask]);
    model.dispose();
  }
}
print('');
print('| backend | model | padded-batch loss | reference | relative error | parameters | largest gradient relative error (parameter) |');
print('|---|---|---|---|---|---|---|');
lossRows.forEach(print);
print('');

// Save round trip on the last backend: f32 (single file) and bf16 (sharded with an index).
const backend = backends.at(-1)!;
print(`## Save round trip (${backend}; chat 1's prompt)`);
print('');
print('| model | f32: tensors equal | f32: max abs logit diff | bf16 (sharded): weights = round-to-nearest-even of f32 | bf16: max abs logit diff | bf16: diff / max abs logit |');
print('|---|---|---|---|---|---|');
const dir = mkdtempSync(join(tmpdir(), 'llm-parity-'));
try {
  for (const modelName of MODELS) {
    const model = await CausalLM.load(join(FIXTURES, modelName));
    const reference = await loadReference(modelName);
    const chat = reference.get('ids_1')!;
    const ids = tf.tensor2d(chat.data as Int32Array, [1, chat.shape[0]], 'int32');
    const logits = tf.tidy(() => model.forward(ids)).dataSync();
    await model.save(join(dir, `${modelName}-f32`));
    const original = await SafetensorsFolder.open(join(FIXTURES, modelName));
    const saved = await SafetensorsFolder.open(join(dir, `${modelName}-f32`));
    let equal = sameIds(saved.names().sort(), original.names().sort());
    for (const name of original.names()) equal &&= sameIds((await saved.read(name)).data, (await original.read(name)).data);
    await Promise.all([original.close(), saved.close()]);
    const f32 = await CausalLM.load(join(dir, `${modelName}-f32`));
    const f32Diff = maxAbsDiff(tf.tidy(() => f32.forward(ids)).dataSync(), logits);
    f32.dispose();
    await model.save(join(dir, `${modelName}-bf16`), { dtype: 'bfloat16', maxShardBytes: 200_000 });
    const bf = await SafetensorsFolder.open(join(dir, `${modelName}-bf16`));
    let rounded = true;
    for (const [name, variable] of model.namedParameters()) {
      rounded &&= bf.entry(name)!.dtype === 'BF16' && sameIds((await bf.read(name)).data, bf16ToFloat32(float32ToBf16(variable.dataSync() as Float32Array)));
    }
    await bf.close();
    const bf16 = await CausalLM.load(join(dir, `${modelName}-bf16`));
    const bfDiff = maxAbsDiff(tf.tidy(() => bf16.forward(ids)).dataSync(), logits);
    const scale = Array.from(logits).reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    print(`| ${modelName} | ${equal ? 'yes' : 'NO'} | ${fmt(f32Diff)} | ${rounded ? 'yes' : 'NO'} | ${fmt(bfDiff)} | ${fmt(bfDiff / scale)} |`);
    bf16.dispose();
    model.dispose();
    ids.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (values.out) writeFileSync(values.out, `${lines.join('\n')}\n`);
