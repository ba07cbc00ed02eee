/**
 * Run by `backend/threaded-wasm.test.ts` in its own process (a wasm backend keeps its build for
 * the life of the process): starts the threaded wasm build with 2 threads, waits for the blocked
 * GEMM's helper thread, then checks products against the cpu backend and the tiny Qwen2's loss
 * and gradients against the transformers reference. Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init-backend';
import { wasmThreadsInUse } from '../backend/wasm-threads';
import { WasmGemmPool } from '../kernels/wasm-gemm-pool';
import { CausalLM } from '../model/causal-lm';
import { causalLmLoss } from '../model/causal-lm-loss';
import { FIXTURES, loadReference, maxAbsDiff, relativeNormDiff } from './reference';

await initBackend('wasm', { wasmThreads: 2 });
const memory = (tf.backend() as unknown as { wasm: { wasmMemory: WebAssembly.Memory } }).wasm.wasmMemory;
const shared = memory.buffer instanceof SharedArrayBuffer;
tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync()); // creates the pool
const pool = WasmGemmPool.for(memory, 2);
for (let attempt = 0; attempt < 500 && (pool?.threads ?? 1) < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));

const shapes: [number[], number[], boolean, boolean][] = [
  [[512, 96], [96, 200], false, false],
  [[96, 512], [200, 96], true, true],
  [[300, 64], [979, 64], false, true], // an LM head with a vocabulary that is not a multiple of 8
  [[2, 3, 130, 40], [2, 3, 40, 36], false, false], // batched
];
const products = async (backend: 'wasm' | 'cpu') => {
  await initBackend(backend);
  return shapes.map(([a, b, transposeA, transposeB]) => tf.tidy(() => tf.matMul(tf.randomNormal(a, 0, 1, 'float32', 1), tf.randomNormal(b, 0, 1, 'float32', 2), transposeA, transposeB).dataSync()));
};
const onWasm = await products('wasm');
const onCpu = await products('cpu');
const productDiffs = onWasm.map((values, index) => maxAbsDiff(values, onCpu[index]));

await initBackend('wasm');
const model = await CausalLM.load(`${FIXTURES}tiny-qwen2`);
const reference = await loadReference('tiny-qwen2');
const ids = reference.get('batch_ids')!;
const mask = reference.get('batch_mask')!;
const inputIds = tf.tensor2d(ids.data as Int32Array, ids.shape as [number, number], 'int32');
const attentionMask = tf.tensor2d(mask.data as Int32Array, mask.shape as [number, number], 'int32');
const { value, grads } = tf.variableGrads(() => causalLmLoss(model.forward(inputIds, { attentionMask }), inputIds, attentionMask), model.trainableVariables());
const expectedLoss = reference.get('batch_loss')!.data[0];
let gradientError = 0;
for (const [name, variable] of model.namedParameters()) gradientError = Math.max(gradientError, relativeNormDiff(grads[variable.name].dataSync(), reference.get(`grad.${name}`)!.data));
console.log(JSON.stringify({
  shared,
  xnnpackThreads: await wasmThreadsInUse(),
  gemmThreads: pool?.threads ?? 0,
  productDiffs,
  lossError: Math.abs(value.dataSync()[0] - expectedLoss) / expectedLoss,
  gradientError,
}));
