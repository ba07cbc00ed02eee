// Writes results/results.md (tables answering the issue's claims) and the PNG plots from the
// benchmark's cell results. run.mts calls writeReport at the end of a run; run as a script it
// re-renders result folders from their results.json (no training, a few seconds):
//
//   node --conditions=@easydistill/source --import tsx bench/kd-quality/report.mts bench/kd-quality/results [bench/kd-quality/results-topk …]
//
// The command line shown in results.md is taken from results.json (`command`, recorded by run.mts)
// or, for folders written before run.mts recorded it, from the existing results.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SKILLS } from '@easydistill/plugin-skills';
import { barChartPng } from './png.mts';

export interface Config {
  name: string;
  /** `model`: a model folder given by `--teacher-model` (then `size` is its name, and it is not trained). */
  teachers: Array<{ size: string; steps: number; batch: number; model?: string }>;
  students: string[];
  arms: string[];
  seeds: number[];
  dataSizes: number[];
  topK: number[];
  seedsPerSkill: number;
  steps: number;
  /** When set, every arm trains this many epochs over its data instead of `steps` optimizer steps. */
  epochs?: number;
  baseSteps: number;
  baseBatch: number;
  batch: number;
  evalPerSkill: number;
}

export interface CellResult {
  teacher: string;
  dataSize: number;
  dataRows: number;
  seedRows: number;
  topK: number;
  seed: number;
  size: string;
  arm: string;
  metrics: Record<string, number>;
}

export interface ReportInput {
  config: Config;
  machine: { cpus: string; memoryGiB: number; node: string; backend: string; loadAverage: { mean: number; max: number; samples: number }; date: string };
  wallSeconds: number;
  teacherTimes: Record<string, { seconds: number; trained: boolean; parameters: number }>;
  baseTimes: Record<string, { seconds: number; trained: boolean }>;
  studentParameters: Record<string, number>;
  tokenizer: { vocab: number; merges: number; tag: string };
  results: CellResult[];
  command: string;
  /** The teacher's distribution over the full-vocabulary stores (tail-mass.mts), when a full run was made. */
  teacherTail?: { positions: number; meanTopMass: Record<string, number>; meanEntropyNats: number; positionsWithTop1Above0_99: number };
}

const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : Number.NaN);
const sd = (values: number[]) => (values.length > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean(values)) ** 2, 0) / (values.length - 1)) : 0);
const pct = (value: number) => (Number.isFinite(value) ? (100 * value).toFixed(1) : '–');
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}` : '–');
const params = (count: number) => (count >= 1e6 ? `${(count / 1e6).toFixed(2)}M` : `${(count / 1e3).toFixed(0)}K`);

export function writeReport(outDir: string, input: ReportInput): void {
  const { config, results } = input;
  const mainTeacher = config.teachers[0]!.size;
  const mainData = config.dataSizes[0]!;
  const mainK = config.topK.includes(10) ? 10 : config.topK[0]!;
  const select = (filter: Partial<CellResult>) => results.filter((result) => Object.entries(filter).every(([key, value]) => result[key as keyof CellResult] === value));
  const main = (size: string, arm: string) => select({ teacher: mainTeacher, dataSize: mainData, topK: mainK, size, arm });
  const metricOf = (cells: CellResult[], key = 'accuracy') => cells.map((cell) => cell.metrics[key] ?? Number.NaN);
  /** Per-seed paired difference of a metric between two arms (same seed, size, data). */
  const paired = (size: string, a: string, b: string, key = 'accuracy') =>
    config.seeds.map((seed) => (main(size, a).find((cell) => cell.seed === seed)?.metrics[key] ?? Number.NaN) - (main(size, b).find((cell) => cell.seed === seed)?.metrics[key] ?? Number.NaN)).filter(Number.isFinite);
  const formatAccuracy = (cells: CellResult[]) => (cells.length === 0 ? '–' : `${pct(mean(metricOf(cells)))} ± ${pct(sd(metricOf(cells)))}`);
  const formatFormat = (cells: CellResult[]) => {
    const values = cells.map((cell) => mean([cell.metrics['accuracy/repeat']!, cell.metrics['accuracy/json']!]));
    return cells.length === 0 ? '–' : `${pct(mean(values))} ± ${pct(sd(values))}`;
  };
  const distillArms = config.arms.filter((arm) => arm !== 'seed-only');
  const vocab = input.tokenizer.vocab;
  const kLabel = (k: number) => (k >= vocab ? `full (${vocab})` : `top-${k}`);
  const dataLabel = (dataSize: number) => (dataSize ? `${dataSize} target` : 'seed-derived');
  /** Optimizer steps of a cell: the fixed `steps`, or with `epochs` epochs × ⌈training rows / batch⌉ (seed-only trains on the seed rows, the other arms on the verified rows). */
  const stepsOf = (cell: CellResult) => (config.epochs ? config.epochs * Math.ceil((cell.arm === 'seed-only' ? cell.seedRows : cell.dataRows) / config.batch) : config.steps);
  const range = (values: number[]) => (Math.min(...values) === Math.max(...values) ? `${Math.min(...values)}` : `${Math.min(...values)}–${Math.max(...values)}`);
  /** Steps and training rows per seed of the seed-only arm and of the teacher-data arms at one data size (`epochs` runs). */
  const stepsAt = (dataSize: number) => {
    const cells = select({ teacher: mainTeacher, dataSize, topK: mainK, arm: 'teacher' });
    return {
      seedRows: range(cells.map((cell) => cell.seedRows)),
      seedSteps: range(cells.map((cell) => stepsOf({ ...cell, arm: 'seed-only' }))),
      seedStepsMean: mean(cells.map((cell) => stepsOf({ ...cell, arm: 'seed-only' }))),
      dataRows: range(cells.map((cell) => cell.dataRows)),
      dataSteps: range(cells.map((cell) => stepsOf({ ...cell, arm: 'black-box' }))),
      dataStepsMean: mean(cells.map((cell) => stepsOf({ ...cell, arm: 'black-box' }))),
    };
  };
  const stepRule = `${config.epochs} × ⌈rows / ${config.batch}⌉, from the row counts in results.json`;
  const armText: Record<string, string> = {
    'seed-only': '**seed-only** (SFT on the seed rows)',
    'black-box': '**black-box** (SFT on the verified teacher data)',
    staged: '**staged** (black-box SFT for half the steps, then forward-KL KD for the other half)',
  };
  const lossName: Record<string, string> = { 'forward-kl': 'forward KL', 'reverse-kl': 'reverse KL', jsd: 'JSD' };
  const whiteBox = config.arms.filter((arm) => arm.startsWith('wb-'));
  const armDescriptions = config.arms
    .filter((arm) => !arm.startsWith('wb-') || arm === whiteBox[0])
    .map((arm) =>
      arm.startsWith('wb-')
        ? `${whiteBox.map((wb) => `**${wb}**`).join(', ')} (top-${mainK} KD, 0.5·CE + 0.5·${whiteBox.map((wb) => lossName[wb.slice(3)] ?? wb.slice(3)).join(' / ')}${whiteBox.length > 1 ? ' respectively' : ''}, on the same data from the student base)`
        : (armText[arm] ?? `**${arm}**`),
    );
  const lines: string[] = [];
  const teacherCells = select({ teacher: mainTeacher, dataSize: mainData, topK: mainK, arm: 'teacher' });
  const dataRows = select({ teacher: mainTeacher, dataSize: mainData, topK: mainK, arm: 'teacher' }).map((cell) => cell.dataRows);
  const seedRows = teacherCells.map((cell) => cell.seedRows);
  lines.push(
    `# bench/kd-quality results (${config.name} configuration)`,
    '',
    `Command: \`node --conditions=@easydistill/source --import tsx bench/kd-quality/run.mts ${input.command}\``,
    '',
    `Machine: ${input.machine.cpus}, ${input.machine.memoryGiB} GiB, Node ${input.machine.node}, TensorFlow.js backend ${input.machine.backend}; no GPU. ` +
      `Shared with other jobs: load average during the run ${input.machine.loadAverage.mean.toFixed(1)} on average, ${input.machine.loadAverage.max.toFixed(1)} at most (2 cores; ${input.machine.loadAverage.samples} samples, one every 15 s). ${input.machine.date.slice(0, 16)} UTC.`,
    '',
    `**Wall time: ${(input.wallSeconds / 60).toFixed(1)} min** for the whole run` +
      Object.entries(input.teacherTimes).map(([size, time]) => (time.trained ? `, of which ${(time.seconds / 60).toFixed(1)} min training teacher ${size}` : config.teachers.find((teacher) => teacher.size === size)?.model ? `; teacher ${size} was given by \`--teacher-model\`` : `; teacher ${size} came from the cache (.cache/teachers/)`)).join('') +
      Object.entries(input.baseTimes).map(([size, time]) => (time.trained ? `, ${(time.seconds / 60).toFixed(1)} min pretraining student base ${size}` : '')).join('') +
      '.',
    '',
    '## Setup',
    '',
    `- Task: the synthetic skills task of @easydistill/plugin-skills (${SKILLS.map((skill) => skill.id).join(', ')}); answers checked by rule. ` +
      `The IFEval-style verifiable constraints are its format skills (\`repeat\`: exactly n copies separated by single spaces; \`json\`: a JSON object with one key), reported in their own column.`,
    `- Evaluation: ${config.evalPerSkill * 2 * SKILLS.length} fixed items (${config.evalPerSkill} per skill in seed phrasings, ${config.evalPerSkill} per skill in held-out phrasings no seed row uses), the same for every cell; none of them is in any arm's training data (seed rows are drawn excluding them, synthesised rows pass \`synth/decontaminate\` against them, and run.mts checks the verified rows). Rewrites may use held-out phrasings (with other items), so "held-out phrasings" are held out from the seed rows and the student bases only. Greedy decoding, \`skills/eval\`.`,
    `- Teacher${config.teachers.length > 1 ? 's' : ''}: ${config.teachers
      .map((teacher) =>
        teacher.model
          ? `${teacher.size} (the model folder \`${teacher.model}\`, given by \`--teacher-model\`; ${params(input.teacherTimes[teacher.size]?.parameters ?? 0)} parameters, counted from its model.safetensors; not trained by this run)`
          : `${teacher.size} (${params(input.teacherTimes[teacher.size]?.parameters ?? 0)} parameters, Qwen2-shaped, byte-level BPE of ${input.tokenizer.vocab} tokens (${input.tokenizer.merges} merges learned on the skills task, bench/quickstart/tokenizer.mts); trained from random weights for ${teacher.steps} steps × ${teacher.batch} rows on skills items in every phrasing, \`train-teacher.mts\`)`,
      )
      .join('; ')}.`,
    `- Students (Qwen2-shaped, same tokenizer): ${config.students.map((size) => `${size} = ${params(input.studentParameters[size] ?? 0)}`).join(', ')} parameters. ` +
      `Each starts from a base of its size pretrained (${config.baseSteps} steps × ${config.baseBatch} rows) on the task's operations as terse commands only (\`add 2 3\` → \`5\`, bench/quickstart/student-base-data.mts), never on an instruction of the task, as a real student is a pretrained base model; one base per size, shared by the seeds.`,
    `- Data per seed: ${seedRows.length ? mean(seedRows).toFixed(0) : '?'} seed rows (drawn with the seed, seed phrasings only) → expand (3 new instructions per seed row) and rewrite (another phrasing), both written by rule (\`kdq-writer/rules\`) → dedup → decontamination against the evaluation items → the teacher answers with top-${mainK} log-probabilities → rule verification: ${dataRows.length ? dataRows.join(', ') : '?'} verified rows per seed.`,
    `- Arms${config.epochs ? ` (AdamW, cosine), each with ${config.epochs} epochs over its own data, so the steps grow with the data (${stepRule}; batch ${config.batch}); at the ${dataLabel(mainData)} size ${config.arms.includes('seed-only') ? `seed-only trains ${stepsAt(mainData).seedSteps} steps on ${stepsAt(mainData).seedRows} seed rows, the other arms` : 'the arms'} ${stepsAt(mainData).dataSteps} steps on ${stepsAt(mainData).dataRows} verified rows${config.dataSizes.length > 1 ? ' (the other sizes under claim 5)' : ''}` : `, all with ${config.steps} optimizer steps of batch ${config.batch} (AdamW, cosine)`}: ${armDescriptions.join(', ')}.`,
    `- Seeds: ${config.seeds.join(', ')} (seed rows and so the teacher data, batch order). Figures are mean ± sd over seeds, accuracy in %.`,
    '',
    '## Accuracy by student size and arm',
    '',
    ...(config.dataSizes.length > 1
      ? [`At the ${dataLabel(mainData)} data size${config.epochs && config.arms.includes('seed-only') ? ` (${config.epochs} epochs: seed-only ${stepsAt(mainData).seedSteps} steps, the other arms ${stepsAt(mainData).dataSteps})` : ''}; the other data sizes are under claim 5.`, '']
      : []),
    `| student | params | ${['teacher', ...config.arms].join(' | ')} |`,
    `| --- | ---: | ${['teacher', ...config.arms].map(() => '---:').join(' | ')} |`,
  );
  for (const size of config.students) lines.push(`| ${size} | ${params(input.studentParameters[size] ?? 0)} | ${formatAccuracy(teacherCells)} | ${config.arms.map((arm) => formatAccuracy(main(size, arm))).join(' | ')} |`);
  lines.push('', 'Held-out phrasings only:', '', `| student | ${['teacher', ...config.arms].join(' | ')} |`, `| --- | ${['teacher', ...config.arms].map(() => '---:').join(' | ')} |`);
  const heldOut = (cells: CellResult[]) => (cells.length === 0 ? '–' : `${pct(mean(metricOf(cells, 'accuracy/held-out-phrasings')))} ± ${pct(sd(metricOf(cells, 'accuracy/held-out-phrasings')))}`);
  for (const size of config.students) lines.push(`| ${size} | ${heldOut(teacherCells)} | ${config.arms.map((arm) => heldOut(main(size, arm))).join(' | ')} |`);
  lines.push('', 'IFEval-style format constraints (`repeat`, `json`):', '', `| student | ${['teacher', ...config.arms].join(' | ')} |`, `| --- | ${['teacher', ...config.arms].map(() => '---:').join(' | ')} |`);
  for (const size of config.students) lines.push(`| ${size} | ${formatFormat(teacherCells)} | ${config.arms.map((arm) => formatFormat(main(size, arm))).join(' | ')} |`);

  // Claims.
  lines.push('', '## The issue\'s claims, measured', '');
  lines.push('### 1. Distillation helps small students most (paper: up to +40% at 0.5B)', '');
  /** The claim-1 table (best distillation arm against seed-only, per student) at one data size. */
  const claim1 = (dataSize: number) => {
    const at = (size: string, arm: string) => select({ teacher: mainTeacher, dataSize, topK: mainK, size, arm });
    const pairedAt = (size: string, a: string, b: string) =>
      config.seeds.map((seed) => (at(size, a).find((cell) => cell.seed === seed)?.metrics.accuracy ?? Number.NaN) - (at(size, b).find((cell) => cell.seed === seed)?.metrics.accuracy ?? Number.NaN)).filter(Number.isFinite);
    lines.push('| student | seed-only | best distillation arm | its accuracy | gain (points) | relative gain | gain > 2 sd? |', '| --- | ---: | --- | ---: | ---: | ---: | --- |');
    const gains: Array<{ size: string; relative: number }> = [];
    for (const size of config.students) {
      const base = mean(metricOf(at(size, 'seed-only')));
      const best = distillArms.map((arm) => ({ arm, value: mean(metricOf(at(size, arm))) })).filter((entry) => Number.isFinite(entry.value)).sort((a, b) => b.value - a.value)[0];
      if (!best || !Number.isFinite(base)) {
        lines.push(`| ${size} | ${pct(base)} | – | – | – | – | – |`);
        continue;
      }
      const differences = pairedAt(size, best.arm, 'seed-only');
      const relative = base > 0 ? (best.value - base) / base : Number.POSITIVE_INFINITY;
      gains.push({ size, relative });
      const spread = 2 * Math.max(sd(metricOf(at(size, best.arm))), sd(metricOf(at(size, 'seed-only'))));
      lines.push(`| ${size} | ${pct(base)} | ${best.arm} | ${pct(best.value)} | ${signed(best.value - base)} (per seed: ${differences.map(signed).join(', ')}) | ${Number.isFinite(relative) ? `${relative >= 0 ? '+' : ''}${(100 * relative).toFixed(0)}%` : '∞ (seed-only at 0)'} | ${best.value - base > spread ? 'yes' : 'no'} |`);
    }
    if (gains.length >= 2) {
      const finite = gains.filter((gain) => Number.isFinite(gain.relative));
      const decreasing = finite.every((gain, index) => index === 0 || gain.relative <= finite[index - 1]!.relative);
      lines.push('', `Relative gain by student size (smallest first): ${gains.map((gain) => `${gain.size} ${Number.isFinite(gain.relative) ? `${(100 * gain.relative).toFixed(0)}%` : '∞'}`).join(', ')}. ` + (decreasing ? 'It shrinks as the student grows, as the paper reports.' : 'It does **not** shrink monotonically with student size here (see the notes).'));
    }
  };
  if (!config.arms.includes('seed-only')) lines.push('Not run in this configuration (no seed-only arm; the default, `--data` and `--full` configurations have it).', '');
  else if (!config.epochs) claim1(mainData);
  else {
    // With fixed epochs the arms' steps differ (seed-only trains on fewer rows): say so, and compare
    // again at the data size where the steps are nearest to equal.
    const caption = (dataSize: number) => {
      const steps = stepsAt(dataSize);
      return `seed-only trains ${steps.seedSteps} steps on ${steps.seedRows} seed rows, the distillation arms ${steps.dataSteps} steps on ${steps.dataRows} verified teacher rows (${stepRule}; ranges over seeds)`;
    };
    const mismatch = (dataSize: number) => Math.abs(Math.log(stepsAt(dataSize).dataStepsMean / stepsAt(dataSize).seedStepsMean));
    const nearest = config.dataSizes.filter((dataSize) => Number.isFinite(mismatch(dataSize))).sort((a, b) => mismatch(a) - mismatch(b))[0] ?? mainData;
    const unequal = mismatch(mainData) > 0;
    lines.push(`At the ${dataLabel(mainData)} data size, ${config.epochs} epochs per arm: ${caption(mainData)}${unequal ? `, so the gain mixes the teacher's data with ${(stepsAt(mainData).dataStepsMean / stepsAt(mainData).seedStepsMean).toFixed(2)}× the seed-only steps` : ''}.`, '');
    claim1(mainData);
    if (nearest !== mainData) {
      lines.push('', `At the ${dataLabel(nearest)}, where the steps are nearest to equal: ${caption(nearest)}.`, '');
      claim1(nearest);
    }
  }
  lines.push('', '### 2. White-box distillation refines what black-box distillation starts (equal data, equal steps)', '');
  lines.push('Paired per seed, accuracy points (mean ± sd of the per-seed differences):', '');
  const comparisons = distillArms.filter((arm) => arm !== 'black-box').map((arm) => [arm, 'black-box'] as const);
  lines.push(`| student | ${comparisons.map(([a, b]) => `${a} − ${b}`).join(' | ')} |`, `| --- | ${comparisons.map(() => '---:').join(' | ')} |`);
  for (const size of config.students) lines.push(`| ${size} | ${comparisons.map(([a, b]) => { const d = paired(size, a, b); return d.length ? `${signed(mean(d))} ± ${pct(sd(d))}` : '–'; }).join(' | ')} |`);
  lines.push('');
  // Top-k.
  lines.push('### 3. Top-k against full-vocabulary KD', '');
  const kCells = config.topK.map((k) => ({ k, cells: config.students.map((size) => select({ teacher: mainTeacher, dataSize: mainData, topK: k, size, arm: 'wb-forward-kl' })) }));
  if (config.topK.length > 1 && kCells.every((entry) => entry.cells.some((cells) => cells.length > 0))) {
    lines.push(
      `Forward-KL KD (0.5·CE + 0.5·KL) on the same verified teacher data; only the number of the teacher's log-probabilities kept per position changes. ` +
        `"full" keeps all ${vocab} (the teacher serves its whole distribution: \`easydistill serve --max-top-logprobs\`, \`synth/respond\` with \`topLogprobs: ${vocab}\`), so its renormalised target is the teacher's exact distribution.`,
      '',
      `| student | ${config.topK.map(kLabel).join(' | ')} |`,
      `| --- | ${config.topK.map(() => '---:').join(' | ')} |`,
    );
    config.students.forEach((size, index) => lines.push(`| ${size} | ${kCells.map((entry) => formatAccuracy(entry.cells[index]!)).join(' | ')} |`));
    const fullK = config.topK.find((k) => k >= vocab);
    if (fullK !== undefined && config.topK.includes(10)) {
      const at = (size: string, k: number, seed: number) => select({ teacher: mainTeacher, dataSize: mainData, topK: k, size, arm: 'wb-forward-kl', seed })[0]?.metrics.accuracy ?? Number.NaN;
      lines.push('', 'Top-10 minus full, paired per seed (accuracy points):', '', '| student | per seed | mean ± sd |', '| --- | --- | ---: |');
      for (const size of config.students) {
        const differences = config.seeds.map((seed) => at(size, 10, seed) - at(size, fullK, seed)).filter(Number.isFinite);
        lines.push(`| ${size} | ${differences.map(signed).join(', ')} | ${differences.length ? `${signed(mean(differences))} ± ${pct(sd(differences))}` : '–'} |`);
      }
    }
    if (input.teacherTail) {
      const tail = input.teacherTail;
      lines.push(
        '',
        `What the top-k leaves out, over the ${tail.positions} response positions of the full-vocabulary stores (\`tail-mass.mts\`): the teacher's top-1 holds ${pct(tail.meanTopMass.top1!)}% of its probability on average, top-10 ${(100 * tail.meanTopMass.top10!).toFixed(2)}%, top-20 ${(100 * tail.meanTopMass.top20!).toFixed(2)}%, top-50 ${(100 * tail.meanTopMass.top50!).toFixed(2)}%; mean entropy ${tail.meanEntropyNats.toFixed(3)} nats; top-1 above 0.99 at ${pct(tail.positionsWithTop1Above0_99)}% of positions.`,
      );
    }
    lines.push('');
  } else {
    // What this run did, from its recorded configuration (`--full` runs every top-k unless --top-k picks fewer).
    const kept = config.topK.map((k) => (k >= vocab ? 'full' : String(k))).join(',');
    lines.push(
      config.name === 'full'
        ? `Not in this run: \`--full\` runs top-1, 10, 20, 50 and the full vocabulary, and this run kept only top-${kept} (\`--top-k ${kept}\`). Forward-KL KD at each top-k from the same teacher data is in \`bench/kd-quality/results-topk/\` (\`--topk\`).`
        : `Not in this run: it kept the teacher's top-${kept} only (the ${config.name} configuration). Forward-KL KD at top-1, 10, 20, 50 and the full vocabulary is run by \`--topk\` (\`bench/kd-quality/results-topk/\`) and \`--full\`.`,
      '',
    );
  }
  // Teacher size.
  lines.push('### 4. Teacher size (paper: a mid-sized teacher is the best balance)', '');
  if (config.teachers.length > 1) {
    lines.push(`| student | arm | ${config.teachers.map((teacher) => teacher.size).join(' | ')} |`, `| --- | --- | ${config.teachers.map(() => '---:').join(' | ')} |`);
    lines.push(`| (teacher itself) | | ${config.teachers.map((teacher) => formatAccuracy(select({ teacher: teacher.size, dataSize: mainData, topK: mainK, arm: 'teacher' }))).join(' | ')} |`);
    for (const size of config.students) for (const arm of ['black-box', 'wb-forward-kl', 'staged']) lines.push(`| ${size} | ${arm} | ${config.teachers.map((teacher) => formatAccuracy(select({ teacher: teacher.size, dataSize: mainData, topK: mainK, size, arm }))).join(' | ')} |`);
    lines.push('', 'Only two teacher sizes fit on this machine, so "mid-sized is best" (a three-point claim) cannot be tested; the table shows whether the larger teacher helps.', '');
  } else {
    lines.push('Not run in this configuration (one teacher; `--full` adds a second, smaller teacher). With two teacher sizes the "mid-sized" claim needs a third size to be tested at all.', '');
  }
  // Data size.
  lines.push('### 5. Data size (paper: gains flatten past 10K–100K examples)', '');
  if (config.dataSizes.length > 1) {
    const dataArms = ['seed-only', 'black-box', 'wb-forward-kl', 'staged'].filter((arm) => config.arms.includes(arm));
    if (config.epochs) {
      const steps = config.dataSizes.map(stepsAt);
      lines.push(
        `${config.epochs} epochs per arm, so the steps grow with the rows (${stepRule}; ranges over seeds), ${config.dataSizes.map(dataLabel).join(' / ')}: ` +
          (dataArms.includes('seed-only') ? `seed-only ${steps.map((step) => step.seedSteps).join(' / ')} steps on ${steps.map((step) => step.seedRows).join(' / ')} seed rows; ` : '') +
          `${dataArms.filter((arm) => arm !== 'seed-only').join(', ')} ${steps.map((step) => step.dataSteps).join(' / ')} steps on ${steps.map((step) => step.dataRows).join(' / ')} verified teacher rows. Data and steps are not separated.`,
        '',
      );
    }
    lines.push(`| student | arm | ${config.dataSizes.map((size) => (size ? `${size} target (${mean(select({ teacher: mainTeacher, dataSize: size, topK: 10, arm: 'teacher' }).map((cell) => cell.dataRows)).toFixed(0)} verified)` : 'seed-derived')).join(' | ')} |`, `| --- | --- | ${config.dataSizes.map(() => '---:').join(' | ')} |`);
    for (const size of config.students) for (const arm of dataArms) lines.push(`| ${size} | ${arm} | ${config.dataSizes.map((dataSize) => formatAccuracy(select({ teacher: mainTeacher, dataSize, topK: 10, size, arm }))).join(' | ')} |`);
    lines.push('');
  } else {
    // What this run did, from its recorded configuration (`--full` runs the 1K/4K/16K targets unless --data-sizes picks fewer).
    lines.push(
      (config.name === 'full'
        ? `Not in this run: \`--full\` runs the 1K, 4K and 16K targets (at fixed steps), and this run kept only the ${dataLabel(config.dataSizes[0]!)} data (\`--data-sizes ${config.dataSizes.join(',')}\`). Data sizes with 3 epochs per arm are in \`bench/kd-quality/results-data/\` (\`--data\`).`
        : `Not in this run: it used the ${dataLabel(config.dataSizes[0]!)} data only (the ${config.name} configuration). \`--data\` runs the 1K, 4K and 16K targets with 3 epochs per arm (\`bench/kd-quality/results-data/\`), \`--full\` at fixed steps.`) +
        " The paper's 10K–100K examples cannot be reached on this task (NOTES.md, claim 5).",
      '',
    );
  }
  // Per skill.
  lines.push(`## Accuracy per skill (mean over seeds, %${config.dataSizes.length > 1 ? `, at the ${dataLabel(mainData)} data size` : ''})`, '');
  for (const size of config.students) {
    lines.push(`Student ${size}:`, '', `| skill | teacher | ${config.arms.join(' | ')} |`, `| --- | ---: | ${config.arms.map(() => '---:').join(' | ')} |`);
    for (const key of [...SKILLS.map((skill) => `accuracy/${skill.id}`), 'accuracy/seen-phrasings', 'accuracy/held-out-phrasings']) {
      lines.push(`| ${key.slice(9)} | ${pct(mean(metricOf(teacherCells, key)))} | ${config.arms.map((arm) => `${pct(mean(metricOf(main(size, arm), key)))} ± ${pct(sd(metricOf(main(size, arm), key)))}`).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('## Plots', '', '- `accuracy-by-arm.png`: accuracy by student size and arm (mean ± sd over seeds)', '- `held-out-by-arm.png`: the same on held-out phrasings', `- \`per-skill-${config.students.at(-1)}.png\`: accuracy per skill for the largest student`, ...(config.topK.length > 1 ? ['- `accuracy-by-top-k.png`: forward-KL KD accuracy by the top-k kept per position'] : []), ...(config.dataSizes.length > 1 ? ['- `accuracy-by-data-<student>.png`: accuracy by data size (verified teacher rows) and arm, per student'] : []), '');
  writeFileSync(join(outDir, 'results.md'), `${lines.join('\n')}\n`);

  // Plots.
  const chart = (key: string, title: string) =>
    barChartPng({
      title,
      yLabel: 'accuracy %',
      groups: ['teacher', ...config.students],
      series: ['teacher', ...config.arms],
      values: [[100 * mean(metricOf(teacherCells, key)), ...config.students.map(() => Number.NaN)], ...config.arms.map((arm) => [Number.NaN, ...config.students.map((size) => 100 * mean(metricOf(main(size, arm), key)))])],
      errors: [[100 * sd(metricOf(teacherCells, key)), ...config.students.map(() => Number.NaN)], ...config.arms.map((arm) => [Number.NaN, ...config.students.map((size) => 100 * sd(metricOf(main(size, arm), key)))])],
    });
  writeFileSync(join(outDir, 'accuracy-by-arm.png'), chart('accuracy', `Skills accuracy by student size and arm (${config.seeds.length} seeds)`));
  writeFileSync(join(outDir, 'held-out-by-arm.png'), chart('accuracy/held-out-phrasings', 'Held-out phrasings: accuracy by student size and arm'));
  if (config.topK.length > 1 && kCells.every((entry) => entry.cells.some((cells) => cells.length > 0))) {
    writeFileSync(
      join(outDir, 'accuracy-by-top-k.png'),
      barChartPng({
        title: `Forward-KL KD by top-k kept (${config.seeds.length} seeds)`,
        yLabel: 'accuracy %',
        groups: config.students,
        series: config.topK.map(kLabel),
        values: kCells.map((entry) => entry.cells.map((cells) => 100 * mean(metricOf(cells)))),
        errors: kCells.map((entry) => entry.cells.map((cells) => 100 * sd(metricOf(cells)))),
      }),
    );
  }
  if (config.dataSizes.length > 1) {
    const dataArms = ['seed-only', 'black-box', 'wb-forward-kl', 'staged'].filter((arm) => config.arms.includes(arm));
    for (const size of config.students) {
      const cells = (dataSize: number, arm: string) => select({ teacher: mainTeacher, dataSize, topK: 10, size, arm });
      writeFileSync(
        join(outDir, `accuracy-by-data-${size}.png`),
        barChartPng({
          title: `Student ${size}: accuracy by teacher rows`,
          yLabel: 'accuracy %',
          groups: config.dataSizes.map((dataSize) => `${mean(select({ teacher: mainTeacher, dataSize, topK: 10, arm: 'teacher' }).map((cell) => cell.dataRows)).toFixed(0)}`),
          series: dataArms,
          values: dataArms.map((arm) => config.dataSizes.map((dataSize) => 100 * mean(metricOf(cells(dataSize, arm))))),
          errors: dataArms.map((arm) => config.dataSizes.map((dataSize) => 100 * sd(metricOf(cells(dataSize, arm))))),
        }),
      );
    }
  }
  const largest = config.students.at(-1)!;
  writeFileSync(
    join(outDir, `per-skill-${largest}.png`),
    barChartPng({
      title: `Accuracy per skill, student ${largest}`,
      yLabel: 'accuracy %',
      groups: SKILLS.map((skill) => skill.id),
      series: ['teacher', ...config.arms],
      values: [SKILLS.map((skill) => 100 * mean(metricOf(teacherCells, `accuracy/${skill.id}`))), ...config.arms.map((arm) => SKILLS.map((skill) => 100 * mean(metricOf(main(largest, arm), `accuracy/${skill.id}`))))],
      errors: [SKILLS.map(() => 0), ...config.arms.map((arm) => SKILLS.map((skill) => 100 * sd(metricOf(main(largest, arm), `accuracy/${skill.id}`))))],
    }),
  );
}

/** Re-renders `dir`/results.md and the PNGs from `dir`/results.json. */
export function rerender(dir: string): void {
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Omit<ReportInput, 'command'> & { command?: string; partial?: boolean };
  if (json.partial) throw new Error(`bench/kd-quality: ${dir}/results.json is a partial run (no machine, wall time or parameters); nothing to render`);
  let command = json.command;
  if (command === undefined) {
    const previous = existsSync(join(dir, 'results.md')) ? readFileSync(join(dir, 'results.md'), 'utf8') : '';
    const match = /^Command: `node --conditions=@easydistill\/source --import tsx bench\/kd-quality\/run\.mts (.*)`$/m.exec(previous);
    if (!match) throw new Error(`bench/kd-quality: ${dir}/results.json records no command and ${dir}/results.md names none`);
    command = match[1]!;
  }
  const { config, machine, wallSeconds, teacherTimes, baseTimes, studentParameters, tokenizer, teacherTail, results } = json;
  writeReport(dir, { config, machine, wallSeconds, teacherTimes, baseTimes, studentParameters, tokenizer, ...(teacherTail ? { teacherTail } : {}), results, command });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) throw new Error('usage: report.mts <result folder with results.json>…');
  for (const dir of dirs) {
    rerender(dir);
    console.error(`bench/kd-quality: rendered ${join(dir, 'results.md')}`);
  }
}
