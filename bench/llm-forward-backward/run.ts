/**
 * bench/llm-forward-backward: tokens per second of forward + backward + Adam for Qwen2-shaped
 * models, @easydistill/llm-tfjs per backend beside PyTorch on the same machine in the same run,
 * plus a 1,000-step memory loop. Writes results.json and results.md next to this file.
 *
 *   node --import tsx bench/llm-forward-backward/run.ts
 *   node --import tsx bench/llm-forward-backward/run.ts --configs qwen2-5m --backends wasm --steps 3 --memory-steps 100 --out /tmp/x
 *
 * Each measurement runs in its own process (tfjs-step.ts, torch-step.py) so they do not share
 * a heap or threads. PyTorch: /usr/bin/python3 (Debian python3-torch), --threads (default 2); the
 * tfjs wasm backend --wasm-threads XNNPACK threads (default 1; a list runs each), --wasm-gemm blocked or
 * xnnpack (the wasm products; default blocked, a list runs each); tfjs Adam --optimizer fused (llm-tfjs's
 * adamUpdate, the trainer's path; default) or tfjs (tf.train.adam).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'qwen2-5m,qwen2-40m' },
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    // XNNPACK threads of the tfjs wasm backend (1: the single-threaded build; see NOTES.md); a
    // comma-separated list runs the wasm backend once per thread count.
    'wasm-threads': { type: 'string', default: '1' },
    // The wasm products: 'blocked' (llm-tfjs's blocked GEMM, the default) or 'xnnpack'
    // (EASYDISTILL_WASM_GEMM=xnnpack: the XNNPACK paths from before it); a list runs each.
    'wasm-gemm': { type: 'string', default: 'blocked' },
    // tfjs Adam: 'fused' (llm-tfjs's adamUpdate, as the trainer runs it) or 'tfjs' (tf.train.adam).
    optimizer: { type: 'string', default: 'fused' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'memory-steps': { type: 'string', default: '1000' },
    // The pure-JS cpu backend runs a 40M step in tens of minutes on this machine; limit where it runs.
    'cpu-configs': { type: 'string', default: 'qwen2-5m' },
    'cpu-steps': { type: 'string', default: '1' },
    out: { type: 'string', default: here },
  },
});

interface Speed {
  kind: 'speed';
  framework: 'tfjs' | 'pytorch';
  config: string;
  backend: string;
  parameters: number;
  batch: number;
  seq: number;
  medianStepMs: number;
  medianCpuMs: number;
  tokensPerSecond: number;
  losses: number[];
  version?: string;
  threads?: number;
  optimizer?: string;
  gemm?: string;
  loadBefore?: number[];
  loadAfter?: number[];
}

function lastJsonLine(text: string, what: string): Record<string, unknown> {
  const line = text.split('\n').reverse().find((candidate) => candidate.startsWith('{'));
  if (!line) throw new Error(`${what} printed no result:\n${text.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

function run(command: string, args: string[], what: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  process.stderr.write(`[bench] ${what} ...\n`);
  const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stderr.slice(-4000)}`);
  const parsed = lastJsonLine(result.stdout, what);
  const loadAfter = loadavg().map((value) => Number(value.toFixed(2)));
  process.stderr.write(`[bench] ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s, ${Number(parsed.tokensPerSecond ?? 0).toFixed(1)} tokens/s\n`);
  return { ...parsed, loadBefore, loadAfter };
}

const tfjsArgs = (config: string, backend: string, threads: string) => [
  '--import', 'tsx', join(here, 'tfjs-step.ts'), '--config', config, '--backend', backend,
  '--steps', backend === 'cpu' ? values['cpu-steps']! : values.steps!, '--warmup', values.warmup!, '--optimizer', values.optimizer!,
  ...(backend === 'wasm' ? ['--threads', threads] : []),
];
/** The wasm variants to run: every (gemm, threads) pair of the two lists. */
const wasmVariants = values['wasm-gemm']!.split(',').flatMap((gemm) => values['wasm-threads']!.split(',').map((threads) => ({ gemm, threads })));
const torchArgs = (config: string) => [join(here, 'torch-step.py'), '--config', config, '--threads', values.threads!, '--steps', values.steps!, '--warmup', values.warmup!];
const threadEnv = { OMP_NUM_THREADS: values.threads!, OPENBLAS_NUM_THREADS: values.threads! };

const speeds: Speed[] = [];
const configs = values.configs!.split(',');
const backends = values.backends!.split(',');
const cpuConfigs = new Set(values['cpu-configs']!.split(','));
const skipped: string[] = [];
for (const config of configs) {
  // PyTorch first and again after the tfjs backends: the machine is shared, so its load moves.
  speeds.push(run(values.python!, torchArgs(config), `pytorch ${config}`, threadEnv) as unknown as Speed);
  for (const backend of backends) {
    if (backend === 'cpu' && !cpuConfigs.has(config)) {
      skipped.push(`tfjs cpu ${config} (not run: the pure-JS backend needs tens of minutes per step here; see NOTES.md)`);
      continue;
    }
    if (backend !== 'wasm') {
      speeds.push(run(process.execPath, tfjsArgs(config, backend, '1'), `tfjs ${backend} ${config}`) as unknown as Speed);
      continue;
    }
    for (const { gemm, threads } of wasmVariants) {
      const speed = run(process.execPath, tfjsArgs(config, backend, threads), `tfjs wasm ${config} (${gemm} GEMM, ${threads} threads)`, { EASYDISTILL_WASM_GEMM: gemm }) as unknown as Speed;
      speeds.push({ ...speed, gemm });
    }
  }
  speeds.push(run(values.python!, torchArgs(config), `pytorch ${config} (again)`, threadEnv) as unknown as Speed);
}

const memorySteps = Number(values['memory-steps']);
const memory = memorySteps > 0
  ? run(process.execPath, ['--import', 'tsx', join(here, 'tfjs-step.ts'), '--config', 'tiny-memory', '--backend', 'wasm', '--memory', String(memorySteps)], `tfjs wasm memory loop ${memorySteps} steps`)
  : undefined;

const tfjsVersion = (JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string }).version;
const blas = (() => {
  try {
    return execFileSync('readlink', ['-f', '/usr/lib/x86_64-linux-gnu/libblas.so.3'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const machine = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGB: Number((totalmem() / 1e9).toFixed(1)),
  freeMemoryGB: Number((freemem() / 1e9).toFixed(1)),
  os: `${osType()} ${release()}`,
  node: process.version,
  tfjs: tfjsVersion,
  pytorch: speeds.find((speed) => speed.framework === 'pytorch')?.version,
  pytorchThreads: Number(values.threads),
  blas,
  gpu: 'none (no GPU lent to this task: webgpu and PyTorch-on-GPU not measured)',
  loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
};

mkdirSync(values.out!, { recursive: true });
writeFileSync(join(values.out!, 'results.json'), `${JSON.stringify({ machine, speeds, memory, skipped }, null, 2)}\n`);

const rows: string[] = [];
for (const config of configs) {
  const torch = speeds.filter((speed) => speed.config === config && speed.framework === 'pytorch');
  // The PyTorch reference: the better of its two runs (before and after the tfjs runs).
  const best = torch.reduce((a, b) => (a.tokensPerSecond >= b.tokensPerSecond ? a : b));
  const bestCpu = torch.reduce((a, b) => (a.medianCpuMs <= b.medianCpuMs ? a : b));
  for (const speed of speeds.filter((candidate) => candidate.config === config)) {
    const name = speed.framework === 'pytorch' ? `PyTorch ${speed.version} (${speed.threads} threads)` : `llm-tfjs ${speed.backend}${speed.threads ? ` (${speed.threads} threads)` : ''}${speed.gemm ? `, ${speed.gemm === 'xnnpack' ? 'XNNPACK products' : 'blocked GEMM'}` : ''}${speed.optimizer ? `, ${speed.optimizer} Adam` : ''}`;
    const tokensPerCpuSecond = (speed.batch * speed.seq * 1000) / speed.medianCpuMs;
    const ratio = speed.framework === 'pytorch' ? '' : `${((100 * speed.tokensPerSecond) / best.tokensPerSecond).toFixed(0)}%`;
    const cpuRatio = speed.framework === 'pytorch' ? '' : `${((100 * tokensPerCpuSecond * bestCpu.medianCpuMs) / (speed.batch * speed.seq * 1000)).toFixed(0)}%`;
    rows.push(`| ${config} | ${(speed.parameters / 1e6).toFixed(2)}M | ${speed.batch}×${speed.seq} | ${name} | ${speed.medianStepMs.toFixed(0)} | ${speed.tokensPerSecond.toFixed(1)} | ${ratio} | ${speed.medianCpuMs.toFixed(0)} | ${cpuRatio} | ${speed.loadBefore?.[0] ?? ''} |`);
  }
}
const memoryLines = memory
  ? [
      '',
      `## Memory: ${memory.steps} steps of forward+backward+Adam (tiny-memory, wasm)`,
      '',
      '| step | tf.memory().numTensors | numBytes | RSS MB | loss |',
      '|---|---|---|---|---|',
      ...(memory.samples as { step: number; numTensors: number; numBytes: number; rssMB: number; loss: number }[]).map(
        (sample) => `| ${sample.step} | ${sample.numTensors} | ${sample.numBytes} | ${sample.rssMB} | ${sample.loss.toFixed(4)} |`,
      ),
    ]
  : [];
const markdown = [
  '# llm-forward-backward results',
  '',
  `Run ${machine.date} with \`node --import tsx bench/llm-forward-backward/run.ts ${process.argv.slice(2).join(' ')}\`.`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.os}; Node ${machine.node}, TensorFlow.js ${machine.tfjs};`,
  `PyTorch ${machine.pytorch} (Debian python3-torch, BLAS ${machine.blas}), ${machine.pytorchThreads} threads. GPU: ${machine.gpu}.`,
  'The machine is shared with other jobs: the load average (1 min) at the start of each measurement is given; wall-clock',
  'throughput moves with it, so the CPU time per step (user+system of the process) is given beside it.',
  '',
  '| config | params | batch×seq | framework | median step ms | tokens/s | vs PyTorch | CPU ms/step | vs PyTorch (CPU time) | load |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  ...(skipped.length ? ['', ...skipped.map((line) => `- ${line}`)] : []),
  ...memoryLines,
  '',
].join('\n');
writeFileSync(join(values.out!, 'results.md'), markdown);
process.stdout.write(markdown);
