import { validateManifest } from '@easydistill/core';
import { createTestContext, describeTrainerConformance } from '@easydistill/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { join } from 'node:path';
import { fixturesDir, jsonlDataset } from './__fixtures__/test-context';
import plugin, { dpoTrainer, kdTrainer, sftTrainer } from './index';

for (const componentId of ['trainer-tfjs/sft', 'trainer-tfjs/kd', 'trainer-tfjs/dpo']) {
  describeTrainerConformance({ plugin, componentId, options: { student: './tiny-qwen2' } });
}

describe('trainer-tfjs manifest', () => {
  it('is a valid plugin with the three trainers', () => {
    const manifest = validateManifest(plugin.name, plugin);
    expect(manifest.namespace).toBe('trainer-tfjs');
    expect(plugin.provides.map((component) => `${component.kind}:${component.id}`)).toEqual(['trainer:sft', 'trainer:kd', 'trainer:dpo']);
  });

  it('describes every option of every trainer', () => {
    for (const definition of [sftTrainer, kdTrainer, dpoTrainer]) {
      const schema = z.toJSONSchema(definition.optionsSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { description?: string }> };
      const properties = Object.entries(schema.properties);
      expect(properties.length).toBeGreaterThan(20);
      for (const [name, property] of properties) expect(property.description, `${definition.id}.${name}`).toMatch(/\w{3,}/);
    }
    const kd = z.toJSONSchema(kdTrainer.optionsSchema, { io: 'input' }) as { properties: Record<string, unknown> };
    expect(Object.keys(kd.properties)).toEqual(expect.arrayContaining(['loss', 'beta', 'temperature', 'alpha', 'topKMode', 'from', 'student']));
  });

  it('refuses both or neither of student and from, and unknown options, naming them', () => {
    expect(sftTrainer.optionsSchema.safeParse({}).error?.issues[0]?.message).toMatch(/exactly one of "student".*"from"/);
    expect(kdTrainer.optionsSchema.safeParse({ student: './a', from: 'sft-model' }).success).toBe(false);
    expect(dpoTrainer.optionsSchema.safeParse({ from: 'sft-model', lr: 1 }).error?.issues[0]?.message).toMatch(/lr/);
    expect(kdTrainer.optionsSchema.parse({ from: 'sft-model' })).toMatchObject({ loss: 'forward-kl', alpha: 0.5, topKMode: 'renormalize', temperature: 1 });
  });

  it('creates trainers from the manifest; `from` naming no earlier stage\'s model is a clear error', async () => {
    // Like core's runner: a name that is no stage's model comes back unchanged.
    const context = { ...createTestContext({ recipeDir: fixturesDir }), resolveModel: (reference: string) => reference };
    const trainer = await kdTrainer.create({ options: kdTrainer.optionsSchema.parse({ from: 'sft-model', backend: 'cpu' }), context });
    expect(trainer.componentId).toBe('trainer-tfjs/kd');
    const train = jsonlDataset(join(fixturesDir, 'chats.jsonl'), join(fixturesDir, 'missing.logits'));
    await expect(trainer.doTrain({ train, outputDir: join(context.workDir, 'out'), checkpointDir: join(context.workDir, 'c') })).rejects.toThrow(
      /trainer-tfjs\/kd: with.from "sft-model" is not a model written by an earlier stage/,
    );
  });
});
