import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest } from '@easydistill/core';
import { describeTeacherConformance } from '@easydistill/core/testing';
import localPlugin, { HfModel, startServer } from '@easydistill/plugin-teacher-local';
import openaiPlugin from '@easydistill/plugin-teacher-openai';
import { exportGguf } from '@easydistill/plugin-publisher-hf';
import { afterAll, describe, expect, it } from 'vitest';

// Both teacher plugins through core's teacher contract, as a recipe would name them: the HF and
// GGUF teachers on the fixture model, and teacher-openai/chat against `easydistill serve` on loopback.
const fixture = fileURLToPath(new URL('../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teacher-conformance-'));
const gguf = join(work, 'tiny-qwen2.gguf');
await exportGguf({ modelDir: fixture, outputPath: gguf, outType: 'f32' });
const served = await HfModel.load(fixture, { backend: 'cpu' });
const server = await startServer({ model: served });
afterAll(async () => {
  await server.close();
  await served.close();
});

describe('teacher plugin manifests', () => {
  it('register teacher-openai/chat, teacher-local/hf, teacher-local/gguf and the serve command', () => {
    const openai = validateManifest(openaiPlugin.name, openaiPlugin);
    const local = validateManifest(localPlugin.name, localPlugin);
    expect(openai.provides.map((component) => `${openai.namespace}/${component.id}:${component.kind}`)).toEqual(['teacher-openai/chat:teacher']);
    expect(local.provides.map((component) => `${local.namespace}/${component.id}:${component.kind}`)).toEqual(['teacher-local/hf:teacher', 'teacher-local/gguf:teacher']);
    expect(local.commands?.map((command) => command.name)).toEqual(['serve']);
    expect(local.commands?.[0]?.usage).toMatch(/--host <address>.*127\.0\.0\.1/);
    for (const manifest of [openai, local]) for (const component of manifest.provides) expect(component.description.length).toBeGreaterThan(20);
  });
});

describeTeacherConformance({ plugin: localPlugin, componentId: 'teacher-local/hf', options: { model: fixture, backend: 'cpu' } });
describeTeacherConformance({ plugin: localPlugin, componentId: 'teacher-local/gguf', options: { model: gguf, gpuLayers: 0, threads: 1, parallel: 2, contextSize: 256 } });
describeTeacherConformance({ plugin: openaiPlugin, componentId: 'teacher-openai/chat', options: { model: 'tiny-qwen2', baseURL: server.baseURL, timeoutMs: 60_000 } });
