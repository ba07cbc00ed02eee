import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExtensionPoint } from '../plugin/plugin-manifest';
import type { EvaluatorV1, EvaluatorV1Result } from '../spec/evaluator/v1/evaluator-v1';
import type { PublisherV1 } from '../spec/publisher/v1/publisher-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { TrainerV1 } from '../spec/trainer/v1/trainer-v1';
import { createForConformance, isJsonSafe, SAMPLE_ROWS, type ConformanceOptions } from './conformance-setup';
import { createTestDataset } from './create-test-dataset';

const METHODS: Record<ExtensionPoint, string> = {
  teacher: 'doGenerate',
  agent: 'doProcess',
  selector: 'doSelect',
  verifier: 'doVerify',
  trainer: 'doTrain',
  evaluator: 'doEvaluate',
  publisher: 'doPublish',
};

function shapeTest(kind: 'trainer' | 'evaluator' | 'publisher', options: ConformanceOptions): void {
  it(`is a v1 ${kind} with ${METHODS[kind]}, and its options schema refuses unknown keys`, async () => {
    const { instance, definition } = await createForConformance(kind, options);
    expect(instance.specificationVersion).toBe('v1');
    expect(instance.componentId).toBe(options.componentId);
    expect(typeof (instance as unknown as Record<string, unknown>)[METHODS[kind]]).toBe('function');
    expect(definition.optionsSchema.safeParse({ ...options.options, __unknownOption: 1 }).success).toBe(false);
  });
}

function expectFiniteMetrics(metrics: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(metrics)) {
    expect(typeof value, `${what}.${name}`).toBe('number');
    expect(Number.isFinite(value as number) || Number.isNaN(value as number), `${what}.${name}`).toBe(true);
  }
}

function filesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((entry) => (statSync(join(folder, entry)).isDirectory() ? filesIn(join(folder, entry)).map((file) => `${entry}/${file}`) : [entry]));
}

export interface TrainerConformanceOptions extends ConformanceOptions {
  /**
   * Also train (slow: opt in with a tiny student and a few steps in `options`). The suite trains on
   * `rows`, checks the model folder and metrics, then calls doTrain again on the same checkpoint
   * folder: a trainer resumes from its checkpoints, so the second call must finish with a model too.
   */
  train?: { rows?: RowV1[]; timeoutMs?: number; resume?: boolean };
}

/**
 * Trainer contract: a v1 trainer whose options schema rejects unknown keys; with `train`, it
 * writes a non-empty model folder at `outputDir` (returned as `modelDir`), reports finite metrics,
 * and finishes again when re-run over its own checkpoints (resume).
 */
export function describeTrainerConformance(options: TrainerConformanceOptions): void {
  describe(`trainer conformance: ${options.componentId}`, () => {
    shapeTest('trainer', options);
    const train = options.train;
    if (!train) return;
    it('trains a model folder with finite metrics, and resumes from its checkpoints', { timeout: train.timeoutMs ?? 120_000 }, async () => {
      const { instance, context } = await createForConformance('trainer', options);
      const trainer = instance as TrainerV1;
      const request = {
        train: createTestDataset(train.rows ?? SAMPLE_ROWS, { name: 'train', directory: context.workDir }),
        outputDir: join(context.workDir, 'model'),
        checkpointDir: join(context.workDir, 'checkpoints'),
      };
      mkdirSync(request.checkpointDir, { recursive: true });
      const result = await trainer.doTrain(request);
      expect(result.modelDir).toBe(request.outputDir);
      expect(filesIn(result.modelDir).length).toBeGreaterThan(0);
      expectFiniteMetrics(result.metrics, 'metrics');
      expect(isJsonSafe(result)).toBe(true);
      if (train.resume === false) return;
      const again = await (await createForConformance('trainer', { ...options, context: { ...options.context, workDir: context.workDir } })).instance.doTrain(request);
      expect(again.modelDir).toBe(request.outputDir);
      expect(filesIn(again.modelDir).length).toBeGreaterThan(0);
    });
  });
}

export interface EvaluatorConformanceOptions extends ConformanceOptions {
  /**
   * Also evaluate (opt in: give scripted teachers for the models and judge in `teachers`, and a
   * small limit in `options`). `input` rows are passed as the stage input when given.
   */
  evaluate?: { input?: RowV1[]; timeoutMs?: number };
}

/**
 * Evaluator contract: a v1 evaluator whose options schema rejects unknown keys; with `evaluate`,
 * it returns a benchmark name, finite metrics per model, a Markdown table naming each model, and a
 * JSON-safe result, writing its files under `outputDir` only.
 */
export function describeEvaluatorConformance(options: EvaluatorConformanceOptions): void {
  describe(`evaluator conformance: ${options.componentId}`, () => {
    shapeTest('evaluator', options);
    const evaluate = options.evaluate;
    if (!evaluate) return;
    it('returns a benchmark, finite metrics per model and a table naming them', { timeout: evaluate.timeoutMs ?? 60_000 }, async () => {
      const { instance, context } = await createForConformance('evaluator', options);
      const outputDir = join(context.workDir, 'eval');
      mkdirSync(outputDir, { recursive: true });
      const before = new Set(filesIn(context.workDir));
      const input = evaluate.input ? createTestDataset(evaluate.input, { name: 'input', directory: context.workDir }) : undefined;
      const result: EvaluatorV1Result = await (instance as EvaluatorV1).doEvaluate({ outputDir, input });
      expect(typeof result.benchmark).toBe('string');
      expect(result.benchmark.length).toBeGreaterThan(0);
      const models = Object.keys(result.metrics);
      expect(models.length).toBeGreaterThan(0);
      for (const model of models) expectFiniteMetrics(result.metrics[model], `metrics.${model}`);
      for (const [model, categories] of Object.entries(result.categories ?? {})) expectFiniteMetrics(categories, `categories.${model}`);
      expect(result.table).toContain('|');
      for (const model of models) expect(result.table, `table names ${model}`).toContain(model);
      expect(isJsonSafe(result)).toBe(true);
      const outside = filesIn(context.workDir).filter((file) => !before.has(file) && !file.startsWith('eval/') && !file.startsWith('input.jsonl'));
      expect(outside, 'files written outside outputDir').toEqual([]);
    });
  });
}

export interface PublisherConformanceOptions extends ConformanceOptions {
  /**
   * Also publish (opt in: point the options at a local target or a loopback server). The suite
   * publishes a small model folder (`modelFiles`, default a config.json and a weights file) with a
   * model card and a report, and checks the location returned.
   */
  publish?: { modelFiles?: Record<string, string>; timeoutMs?: number; location?: RegExp };
}

/**
 * Publisher contract: a v1 publisher whose options schema rejects unknown keys; with `publish`,
 * it publishes a model folder with its card and report and returns where it went.
 */
export function describePublisherConformance(options: PublisherConformanceOptions): void {
  describe(`publisher conformance: ${options.componentId}`, () => {
    shapeTest('publisher', options);
    const publish = options.publish;
    if (!publish) return;
    it('publishes a model folder with its card and report, and says where', { timeout: publish.timeoutMs ?? 60_000 }, async () => {
      const { instance, context } = await createForConformance('publisher', options);
      const modelDir = join(context.workDir, 'model');
      mkdirSync(modelDir, { recursive: true });
      const files = publish.modelFiles ?? { 'config.json': '{"model_type":"test"}\n', 'model.safetensors': 'not really weights' };
      for (const [name, content] of Object.entries(files)) writeFileSync(join(modelDir, name), content);
      const reportPath = join(context.workDir, 'report.md');
      writeFileSync(reportPath, '# Run report\n\n| model | score |\n| --- | --- |\n| student | 1 |\n');
      const workDir = join(context.workDir, 'publish-work');
      mkdirSync(workDir, { recursive: true });
      const result = await (instance as PublisherV1).doPublish({ modelDir, modelCard: '---\nlicense: apache-2.0\n---\n\n# test-model\n', reportPath, workDir });
      expect(typeof result.location).toBe('string');
      expect(result.location.length).toBeGreaterThan(0);
      if (publish.location) expect(result.location).toMatch(publish.location);
      expect(isJsonSafe(result)).toBe(true);
    });
  });
}
