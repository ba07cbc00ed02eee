import * as tf from '@tensorflow/tfjs';
import type { RunContextV1, TrainerV1Request, TrainerV1Result } from '@easydistill/core';
import { CausalLM, type Tokenizer } from '@easydistill/llm-tfjs';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { epochBatches } from '../data/batching';
import { trainerError } from '../trainer-error';
import type { TrainingOptions } from '../trainers/training-options';
import { AdamWOptimizer, clipGradientsByGlobalNorm } from './adamw-optimizer';
import { checkpointName, latestCheckpoint, loadOptimizerState, pruneCheckpoints, saveModelFolder, type TrainerState } from './checkpoint-store';
import { learningRateAt } from './learning-rate-schedule';

/** What a trainer (SFT, KD, DPO) plugs into the shared loop. */
export interface TrainingTask<Example> {
  readonly train: Example[];
  readonly heldOut: Example[];
  /** Tokens of an example, for length bucketing and tokens/s. */
  lengthOf(example: Example): number;
  /** Units the loss is averaged over (target tokens, pairs): summed over an optimizer step, divided once. */
  unitsOf(example: Example): number;
  /**
   * The micro-batch loss times `scale` (1 / units of the whole optimizer step), as a scalar built
   * inside `tf.variableGrads`. Adds its parts (already scaled) to `report`.
   */
  loss(model: CausalLM, batch: Example[], scale: number, report: Record<string, number>): tf.Scalar;
  /** Held-out metrics (no gradients), e.g. `{ evalLoss }`. */
  evaluate(model: CausalLM, examples: Example[]): Record<string, number>;
}

/** Everything the loop needs besides the task. */
export interface TrainingRun {
  componentId: string;
  studentDir: string;
  tokenizer: Tokenizer;
  options: TrainingOptions;
  context: RunContextV1;
  request: TrainerV1Request;
}

const NO_DECAY = /(norm\.weight|\.bias)$/;

function optionsHash(options: TrainingOptions, seed: number, trainCount: number, componentId: string): string {
  const { evalEvery, checkpointEvery, keepCheckpoints, backend, saveDtype, chunkSize, ...shaping } = options;
  void evalEvery, checkpointEvery, keepCheckpoints, backend, saveDtype, chunkSize;
  return createHash('sha256').update(JSON.stringify({ shaping, seed, trainCount, componentId })).digest('hex').slice(0, 16);
}

/**
 * The shared training loop: seeded length-bucketed micro-batches, gradient accumulation with the
 * loss normalised once per optimizer step, global-norm clipping, AdamW with a warm-up + cosine or
 * linear schedule, held-out evaluation, checkpoints every N steps (resumed from the newest),
 * metrics (loss, learning rate, tokens/s, memory, ETA; eval results) through `context.progress`,
 * which core shows and appends to the stage's `metrics.jsonl`, and the final model folder in
 * `request.outputDir`.
 */
export async function runTraining<Example>(task: TrainingTask<Example>, run: TrainingRun): Promise<TrainerV1Result> {
  const { options, context, request } = run;
  if (task.train.length === 0) throw trainerError('INVALID_DATASET', `${run.componentId}: dataset "${request.train.name}" has no trainable rows.`);
  const seed = options.seed ?? context.seed;
  const lengths = task.train.map((example) => task.lengthOf(example));
  const perEpoch = Math.ceil(task.train.length / options.batchSize);
  const totalMicroBatches = perEpoch * options.epochs;
  const totalSteps = Math.min(options.maxSteps ?? Infinity, Math.ceil(totalMicroBatches / options.gradientAccumulation));
  const warmupSteps = options.warmupSteps ?? Math.floor(options.warmupRatio * totalSteps);
  const hash = optionsHash(options, seed, task.train.length, run.componentId);

  const resume = await latestCheckpoint(request.checkpointDir);
  if (resume && resume.state.optionsHash !== hash) {
    throw trainerError(
      'COMPONENT_FAILED',
      `${run.componentId}: checkpoint ${resume.dir} was written with other training options or data; delete ${request.checkpointDir} to start over, or restore the options it was made with.`,
    );
  }
  const model = await CausalLM.load(resume?.dir ?? run.studentDir);
  const parameters = model.namedParameters();
  const optimizer = new AdamWOptimizer({
    beta1: options.adamBeta1,
    beta2: options.adamBeta2,
    epsilon: options.adamEpsilon,
    weightDecay: options.weightDecay,
    noDecay: (name) => NO_DECAY.test(name),
  });
  let step = resume?.state.step ?? 0;
  let microBatches = resume?.state.microBatches ?? 0;
  let metrics: Record<string, number> = { ...(resume?.state.metrics ?? {}) };
  if (resume) {
    await loadOptimizerState(resume.dir, optimizer, step);
    context.logger.info(`${run.componentId}: resuming from ${resume.dir} at step ${step} of ${totalSteps}`);
  }

  // Metrics go through context.progress: core shows them and appends them to the stage's metrics.jsonl.
  const evaluate = async () => {
    if (task.heldOut.length === 0) return {};
    const result = task.evaluate(model, task.heldOut);
    context.progress.advance(0, { step, ...result });
    return result;
  };
  const state = (): TrainerState => ({
    format: 'easydistill-trainer-state',
    version: 1,
    step,
    totalSteps,
    microBatches,
    epoch: Math.floor(microBatches / perEpoch),
    seed,
    optionsHash: hash,
    metrics,
  });

  const epochs = new Map<number, number[][]>();
  const batchAt = (index: number): Example[] => {
    const epoch = Math.floor(index / perEpoch);
    if (!epochs.has(epoch)) {
      epochs.clear();
      epochs.set(epoch, epochBatches(lengths, options.batchSize, seed, epoch, options.bucketByLength));
    }
    return epochs.get(epoch)![index % perEpoch]!.map((item) => task.train[item]!);
  };

  try {
    context.progress.start(totalSteps, 'steps');
    if (step > 0) context.progress.advance(step);
    if (!resume) {
      const initial = await evaluate();
      for (const [key, value] of Object.entries(initial)) metrics[`initial${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
    }
    const started = performance.now();
    const startStep = step;
    while (step < totalSteps) {
      if (context.signal.aborted) throw trainerError('RUN_FAILED', `${run.componentId}: cancelled at step ${step}.`, context.signal.reason);
      const stepStarted = performance.now();
      const group: Example[][] = [];
      for (let index = 0; index < options.gradientAccumulation && microBatches + index < totalMicroBatches; index += 1) {
        group.push(batchAt(microBatches + index));
      }
      const units = group.flat().reduce((sum, example) => sum + task.unitsOf(example), 0);
      const scale = 1 / Math.max(1, units);
      const report: Record<string, number> = {};
      const gradients = new Map<string, tf.Tensor>();
      let loss = 0;
      let tokens = 0;
      for (const batch of group) {
        tokens += batch.reduce((sum, example) => sum + task.lengthOf(example), 0);
        const { value, grads } = tf.variableGrads(() => task.loss(model, batch, scale, report), model.trainableVariables());
        loss += value.dataSync()[0]!;
        value.dispose();
        for (const [variableName, gradient] of Object.entries(grads)) {
          const name = model.parameterName(variableName);
          const previous = gradients.get(name);
          if (previous) {
            gradients.set(name, tf.add(previous, gradient));
            previous.dispose();
            gradient.dispose();
          } else gradients.set(name, gradient);
        }
      }
      microBatches += group.length;
      const gradientNorm = clipGradientsByGlobalNorm(gradients, options.maxGradNorm);
      const learningRate = learningRateAt(step + 1, { kind: options.schedule, peak: options.learningRate, warmupSteps, totalSteps });
      optimizer.apply(parameters, gradients, learningRate);
      for (const gradient of gradients.values()) gradient.dispose();
      step += 1;

      const seconds = (performance.now() - stepStarted) / 1000;
      const elapsed = (performance.now() - started) / 1000;
      const stepMetrics = {
        step,
        loss,
        ...report,
        learningRate,
        gradientNorm,
        tokensPerSecond: tokens / seconds,
        memoryMegabytes: process.memoryUsage().rss / 2 ** 20,
        tensorMegabytes: tf.memory().numBytes / 2 ** 20,
        etaSeconds: (elapsed / (step - startStep)) * (totalSteps - step),
      };
      metrics = { ...metrics, ...stepMetrics };
      context.progress.advance(1, stepMetrics);
      if (options.evalEvery > 0 && step % options.evalEvery === 0 && step < totalSteps) Object.assign(metrics, await evaluate());
      if (step % options.checkpointEvery === 0 || step === totalSteps) {
        await mkdir(request.checkpointDir, { recursive: true });
        await saveModelFolder(join(request.checkpointDir, checkpointName(step)), { model, tokenizer: run.tokenizer, state: state(), optimizer });
        await pruneCheckpoints(request.checkpointDir, options.keepCheckpoints);
      }
    }
    Object.assign(metrics, await evaluate());
    metrics.steps = step;
    await saveModelFolder(request.outputDir, { model, tokenizer: run.tokenizer, state: state(), dtype: options.saveDtype });
    context.progress.end();
    return { modelDir: request.outputDir, metrics };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
