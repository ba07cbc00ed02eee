import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe, ProgressReporter, runRecipe } from '@easydistill/core';
import { CausalLM } from '@easydistill/llm-tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

// The templates that run offline, run in CI on the fixture models (issue 8). `white-box` needs no
// API: its local teacher and its student are model folders. The template's own recipe is run
// with only its sizes changed: the Hub model ids become the fixture Qwen2 folder (random
// weights, same tokenizer for teacher and student), generation is cut to a few tokens (a random
// model never says end-of-turn, so truncated answers are kept), and training to two optimizer
// steps. Every stage and option else is the template's. (`quickstart` runs in
// quickstart-pipeline.test.ts; black-box, staged, cot, rank and eval need an API teacher or judge
// and are validated in templates-validate.test.ts.)
const templates = fileURLToPath(new URL('../templates/', import.meta.url));
const fixtureModel = fileURLToPath(new URL('../packages/plugin-trainer-tfjs/src/__fixtures__/tiny-qwen2', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'templates-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Stage {
  id: string;
  use: string;
  with?: Record<string, unknown>;
}

/** `easydistill init --template <name>` as a folder copy, then the recipe shrunk to the fixtures. */
function shrunkTemplate(name: string, seeds: number): { folder: string; recipe: string; original: Record<string, unknown> } {
  const folder = join(work, name);
  cpSync(join(templates, name), folder, { recursive: true });
  const file = join(folder, 'recipe.yaml');
  const original = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const recipe = structuredClone(original) as { components: Record<string, { use: string; options: Record<string, unknown> }>; stages: Stage[]; datasets: Record<string, { path: string }> };
  for (const component of Object.values(recipe.components)) {
    if (component.use.startsWith('teacher-local/')) Object.assign(component.options, { model: fixtureModel, backend: 'wasm', maxTokens: 6 });
  }
  for (const stage of recipe.stages) {
    if (stage.use === 'synth/respond') Object.assign(stage.with!, { maxTokens: 6, rejectTruncated: false });
    if (stage.use.startsWith('trainer-tfjs/')) Object.assign(stage.with!, { student: fixtureModel, backend: 'wasm', maxSteps: 2, batchSize: 2, gradientAccumulation: 1, maxLength: 96, evalFraction: 0 });
  }
  for (const dataset of Object.values(recipe.datasets)) {
    const path = join(folder, dataset.path);
    writeFileSync(path, readFileSync(path, 'utf8').trim().split('\n').slice(0, seeds).join('\n') + '\n');
  }
  writeFileSync(file, stringify(recipe));
  return { folder, recipe: file, original };
}

describe('templates that run offline', () => {
  it('white-box: local teacher with top-10 log-probabilities → verify → top-k KD, on the fixture model', { timeout: 300_000 }, async () => {
    const { folder, recipe, original } = shrunkTemplate('white-box', 4);
    const lines: string[] = [];
    const output = { write: (text: string) => (lines.push(text), true) } as unknown as NodeJS.WritableStream;
    const summary = await runRecipe(await loadRecipe(recipe), { cwd: folder, reporter: new ProgressReporter({ mode: 'plain', output }) });

    // The template's stages, all of them, in its order.
    expect(summary.stages.map((stage) => stage.id)).toEqual((original.stages as Stage[]).map((stage) => stage.id));
    expect(summary.stages.every((stage) => stage.status === 'done')).toBe(true);
    const stage = (id: string) => summary.stages.find((entry) => entry.id === id)!;
    expect(stage('respond').rowsIn).toBe(4);
    expect(stage('verify').rowsOut + stage('verify').rowsRejected).toBe(stage('respond').rowsOut);
    expect(stage('verify').rowsOut).toBeGreaterThan(0);

    // The teacher's top-10 log-probabilities were stored, and the KD stage trained on them.
    const stages = join(folder, 'runs', 'white-box', 'stages');
    expect(existsSync(join(stages, 'respond', 'logits.bin'))).toBe(true);
    const kd = JSON.parse(readFileSync(join(stages, 'kd', 'result.json'), 'utf8')) as { modelDir: string; metrics: Record<string, number> };
    expect(kd.metrics.steps).toBe(2);
    const steps = readFileSync(join(stages, 'kd', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.loss !== undefined);
    expect(steps.length).toBe(2);
    for (const step of steps) expect(Number.isFinite(step.kd), JSON.stringify(step)).toBe(true);
    // The student is a Hugging Face folder llm-tfjs loads, and the run report was written.
    const model = await CausalLM.load(kd.modelDir);
    model.dispose();
    expect(readFileSync(join(folder, 'runs', 'white-box', 'report.html'), 'utf8')).toContain('trainer-tfjs/kd');
    expect(lines.join('')).toMatch(/\[kd\] /);
  });
});
