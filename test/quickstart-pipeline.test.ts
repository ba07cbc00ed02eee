import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe, ProgressReporter, runRecipe } from '@easydistill/core';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

// The quickstart recipe itself, cut down to a smoke size: 7 seed rows, one expand round, 2
// optimizer steps per trainer, 14 evaluation items. Every stage runs for real: the committed teacher behind
// `easydistill serve` on loopback, expand → rewrite → dedup → respond (top-10) → verify → SFT → KD,
// the seeds-only student, and skills/eval of the three models.
const template = fileURLToPath(new URL('../templates/quickstart/', import.meta.url));

function smokeRecipe(folder: string): string {
  const recipe = parse(readFileSync(join(template, 'recipe.yaml'), 'utf8'));
  const seeds = readFileSync(join(template, 'data/seeds.jsonl'), 'utf8').trim().split('\n').filter((_, index) => index % 6 === 0);
  writeFileSync(join(folder, 'seeds.jsonl'), `${seeds.join('\n')}\n`);
  const items = readFileSync(join(template, 'data/eval.jsonl'), 'utf8').trim().split('\n').filter((_, index) => index % 10 === 0);
  writeFileSync(join(folder, 'eval.jsonl'), `${items.join('\n')}\n`);
  recipe.plugins = recipe.plugins.map((plugin: string) => (plugin.startsWith('./') ? join(template, plugin) : plugin));
  recipe.components.teacher.options.model = join(template, 'teacher');
  recipe.datasets.seeds.path = join(folder, 'seeds.jsonl');
  recipe.datasets['eval-items'].path = join(folder, 'eval.jsonl');
  for (const stage of recipe.stages) {
    if (stage.with?.prompt) stage.with.prompt = join(template, stage.with.prompt);
    if (stage.with?.student) stage.with.student = join(template, stage.with.student);
    if (stage.use.startsWith('trainer-tfjs/')) stage.with.maxSteps = 2;
    if (stage.id === 'expand') stage.with.rounds = 1;
    if (stage.id === 'decontaminate') stage.with.extraPaths = [join(folder, 'eval.jsonl')];
  }
  const file = join(folder, 'recipe.yaml');
  writeFileSync(file, stringify(recipe));
  return file;
}

describe('quickstart recipe', () => {
  it('runs every stage end to end and compares the three models', { timeout: 300_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'quickstart-'));
    const recipe = await loadRecipe(smokeRecipe(folder));
    const lines: string[] = [];
    const output = { write: (text: string) => (lines.push(text), true) } as unknown as NodeJS.WritableStream;
    const summary = await runRecipe(recipe, { runDir: join(folder, 'run'), reporter: new ProgressReporter({ mode: 'plain', output }) });

    expect(summary.stages.map((stage) => stage.id)).toEqual(['expand', 'rewrite', 'dedup', 'decontaminate', 'respond', 'verify', 'sft', 'kd', 'seeds-only', 'evaluate']);
    const stage = (id: string) => summary.stages.find((entry) => entry.id === id)!;
    expect(stage('expand').rowsIn).toBe(7);
    expect(stage('verify').rowsOut).toBeGreaterThan(0);
    expect(stage('verify').rowsOut + stage('verify').rowsRejected).toBe(stage('respond').rowsOut);
    // No training row is an evaluation item (decontamination against the evaluation file).
    const evalInstructions = new Set(readFileSync(join(folder, 'eval.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line).instruction as string));
    const trained = readFileSync(join(folder, 'run/stages/verify/output.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).instruction as string);
    expect(trained.filter((instruction) => evalInstructions.has(instruction))).toEqual([]);
    expect(stage('decontaminate').rowsOut + stage('decontaminate').rowsRejected).toBe(stage('dedup').rowsOut);
    const rejected = readFileSync(join(folder, 'run/stages/verify/rejected.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    for (const entry of rejected) expect(entry.reason).toMatch(/expected|not an instruction/);
    const result = JSON.parse(readFileSync(join(folder, 'run/stages/evaluate/result.json'), 'utf8'));
    expect(Object.keys(result.metrics)).toEqual(['teacher', 'distilled', 'undistilled']);
    expect(result.metrics.teacher.items).toBe(14);
    // The teacher is the trained model: it answers most items right, and its answers mostly pass.
    expect(result.metrics.teacher.accuracy).toBeGreaterThan(0.5);
    expect(stage('verify').rowsOut).toBeGreaterThan(stage('verify').rowsRejected);
    // Each model answers every item.
    const items = readFileSync(join(folder, 'run/stages/evaluate/eval/items.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(items.filter((item) => item.model === 'distilled')).toHaveLength(14);
    expect(items.filter((item) => item.model === 'undistilled')).toHaveLength(14);
    expect(lines.join('')).toContain('| **all** |');
  });
});
