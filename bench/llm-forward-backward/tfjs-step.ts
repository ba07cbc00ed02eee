/**
 * One measurement of @easydistill/llm-tfjs: forward + backward + Adam steps of a randomly
 * initialised Qwen2-shaped model on one backend, as JSON on stdout.
 *
 *   node --import tsx bench/llm-forward-backward/tfjs-step.ts --config qwen2-5m --backend wasm --steps 5 [--warmup 2] [--profile]
 *   node --import tsx bench/llm-forward-backward/tfjs-step.ts --config tiny-memory --backend wasm --memory 1000
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adamUpdate, CausalLM, causalLmLoss, initBackend, parseModelConfig, wasmThreadsInUse, type BackendName } from '../../packages/llm-tfjs/src/index';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'qwen2-5m' },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    memory: { type: 'string' },
    profile: { type: 'boolean', default: false },
    // XNNPACK threads of the wasm backend (default: llm-tfjs's default, the CPUs available).
    threads: { type: 'string' },
    // 'fused': Adam through llm-tfjs's adamUpdate (the trainer's path: one LlmAdamUpdate kernel per
    // parameter on wasm/cpu); 'tfjs': tf.train.adam (a dozen elementwise kernels per parameter).
    optimizer: { type: 'string', default: 'fused' },
  },
});

const configs = JSON.parse(readFileSync(new URL('./configs.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown> & { batch: number; seq: number }>;
const raw = configs[values.config!];
if (!raw) throw new Error(`unknown --config ${values.config}; one of ${Object.keys(configs).join(', ')}`);
const backend = await initBackend(values.backend as BackendName, { wasmThreads: values.threads ? Number(values.threads) : undefined });
const threads = backend === 'wasm' ? await wasmThreadsInUse() : undefined;
const config = parseModelConfig(raw, `configs.json#${values.config}`);
const model = CausalLM.fromConfig(config, { seed: 1 });
const parameters = model.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
const { batch, seq } = raw;

// Deterministic token ids (same generator as torch-step.py).
const idsData = new Int32Array(batch * seq);
let state = 12345;
for (let index = 0; index < idsData.length; index += 1) {
  state = (state * 1103515245 + 12345) % 2147483648;
  idsData[index] = state % config.vocabSize;
}
const ids = tf.tensor2d(idsData, [batch, seq], 'int32');
const optimizer = values.optimizer === 'tfjs' ? tf.train.adam(1e-4) : undefined;
const variables = model.trainableVariables();
const moments = variables.map((variable) => [tf.zerosLike(variable), tf.zerosLike(variable)]);
let updates = 0;
const step = (): number => {
  if (optimizer) {
    const loss = optimizer.minimize(() => causalLmLoss(model.forward(ids), ids), true, variables)!;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }
  // torch.optim.Adam's update (lr 1e-4, betas 0.9/0.999, eps 1e-8), as the trainer's AdamW runs it.
  const { value: loss, grads } = tf.variableGrads(() => causalLmLoss(model.forward(ids), ids), variables);
  updates += 1;
  variables.forEach((variable, index) => {
    const [next, first, second] = adamUpdate(variable, moments[index][0], moments[index][1], grads[variable.name], {
      learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: updates,
    });
    tf.dispose(moments[index]);
    moments[index] = [first, second];
    variable.assign(next);
    next.dispose();
  });
  tf.dispose(grads);
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
};

if (values.memory) {
  // The memory check: a long loop must not grow the tensor count or the bytes held.
  const total = Number(values.memory);
  const samples: { step: number; numTensors: number; numBytes: number; rssMB: number; loss: number }[] = [];
  const started = performance.now();
  for (let index = 1; index <= total; index += 1) {
    const loss = step();
    if (index === 1 || index === 10 || index % 100 === 0) {
      const memory = tf.memory();
      samples.push({ step: index, numTensors: memory.numTensors, numBytes: memory.numBytes, rssMB: Math.round(process.memoryUsage().rss / 1e6), loss });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ kind: 'memory', config: values.config, backend, parameters, steps: total, seconds, samples }));
} else {
  const losses: number[] = [];
  for (let index = 0; index < Number(values.warmup); index += 1) losses.push(step());
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let kernels: { name: string; ms: number; count: number }[] | undefined;
  let kernelTotals: { name: string; ms: number; count: number }[] | undefined;
  for (let index = 0; index < Number(values.steps); index += 1) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    losses.push(step());
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  if (values.profile) {
    const byName = new Map<string, { ms: number; count: number }>();
    const profile = await tf.profile(() => void step());
    for (const kernel of profile.kernels) {
      const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      const key = `${kernel.name} ${kernel.inputShapes.map((shape) => `[${shape}]`).join('x')}`;
      const entry = byName.get(key) ?? { ms: 0, count: 0 };
      entry.ms += ms;
      entry.count += 1;
      byName.set(key, entry);
    }
    const totals = new Map<string, { ms: number; count: number }>();
    for (const kernel of profile.kernels) {
      const entry = totals.get(kernel.name) ?? { ms: 0, count: 0 };
      entry.ms += typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      entry.count += 1;
      totals.set(kernel.name, entry);
    }
    kernelTotals = [...totals.entries()].map(([name, entry]) => ({ name, ...entry })).sort((a, b) => b.ms - a.ms);
    kernels = [...byName.entries()].map(([name, entry]) => ({ name, ...entry })).sort((a, b) => b.ms - a.ms).slice(0, 40);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(JSON.stringify({
    kind: 'speed', framework: 'tfjs', config: values.config, backend, threads, optimizer: values.optimizer, parameters, batch, seq, steps: times.length,
    stepMs: times, medianStepMs: median, cpuMs: cpuTimes,
    medianCpuMs: [...cpuTimes].sort((a, b) => a - b)[Math.floor(cpuTimes.length / 2)], tokensPerSecond: (batch * seq * 1000) / median, losses, kernelTotals, kernels,
  }));
}
optimizer?.dispose();
tf.dispose(moments.flat());
ids.dispose();
model.dispose();
