import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DistillError } from '../errors/distill-error';
import { ProgressReporter } from '../progress/progress-reporter';
import { loadRecipe } from '../recipe/load-recipe';
import { LogitsStoreReader } from '../store/logits-store';
import { runRecipe } from './run-recipe';

const pluginPath = fileURLToPath(new URL('../__fixtures__/testkit-plugin', import.meta.url));

function lines(path: string): unknown[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

function setup(options: { stages?: string; teacher?: string; seeds?: string[]; logprobs?: boolean } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'easydistill-run-'));
  const seeds = options.seeds ?? ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  writeFileSync(join(folder, 'seeds.jsonl'), seeds.map((instruction) => JSON.stringify({ instruction })).join('\n') + '\n');
  const counter = join(folder, 'calls.txt');
  const closes = join(folder, 'closes.txt');
  const stages =
    options.stages ??
    `
  - { id: expand, use: testkit/expand, in: seeds, out: instructions, with: { teacher: teacher, n: 2 } }
  - { id: dedup, use: testkit/dedup, in: instructions, out: unique }
  - { id: answer, use: testkit/respond, in: unique, out: answered, with: { teacher: teacher, topLogprobs: 3 } }
  - { id: check, use: testkit/length, in: answered, out: verified, with: { maxLength: 20 } }
  - { id: train, use: testkit/copy, in: verified, out: student, with: { steps: 2 } }
  - { id: eval, use: testkit/count, in: verified, out: report, with: { model: student } }
  - { id: publish, use: testkit/folder, in: student, with: { target: ./published } }`;
  writeFileSync(
    join(folder, 'recipe.yaml'),
    `apiVersion: easydistill/v1
name: demo
seed: 7
plugins: ["${pluginPath}"]
components:
  teacher: { use: testkit/echo, options: { counterFile: ${JSON.stringify(counter)}, closeFile: ${JSON.stringify(closes)}, logprobs: ${options.logprobs ?? true}${options.teacher ?? ''} } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:${stages}
${options.stages ? '' : 'exports:\n  final: { from: verified, path: ./final.jsonl, format: sharegpt }'}
`,
  );
  const events: Array<Record<string, unknown>> = [];
  const output = { write: (text: string) => (text.split('\n').filter(Boolean).forEach((line) => events.push(JSON.parse(line))), true) } as unknown as NodeJS.WritableStream;
  const calls = () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0);
  const run = async () => runRecipe(await loadRecipe(join(folder, 'recipe.yaml')), { cwd: folder, reporter: new ProgressReporter({ mode: 'json', output }) });
  return { folder, run, calls, events, closes, stageDir: (id: string) => join(folder, 'runs', 'demo', 'stages', id) };
}

describe('runRecipe', () => {
  it('runs every kind of stage, writes the run folder, and a second run makes 0 teacher calls', async () => {
    const { folder, run, calls, events, closes, stageDir } = setup();
    const first = await run();
    expect(calls()).toBe(10); // 5 expansions (n = 2 in one call) + 5 answers
    expect(first.usage.calls).toBe(calls());
    const unique = lines(join(stageDir('dedup'), 'output.jsonl')) as Array<{ id: string }>;
    expect(unique.map((row) => row.id)).toEqual(['seeds:1/0', 'seeds:2/0', 'seeds:3/0', 'seeds:4/0', 'seeds:5/0']);
    expect(lines(join(stageDir('dedup'), 'rejected.jsonl'))).toHaveLength(5);
    const verified = lines(join(stageDir('check'), 'output.jsonl')) as Array<{ id: string; meta: Record<string, unknown> }>;
    const rejected = lines(join(stageDir('check'), 'rejected.jsonl')) as Array<{ reason: string }>;
    expect(verified.length + rejected.length).toBe(5);
    expect(rejected.every((row) => row.reason.startsWith('length'))).toBe(true);
    expect(verified[0].meta['testkit/length']).toEqual({ length: expect.any(Number) });
    const logits = LogitsStoreReader.open(join(stageDir('answer'), 'logits.bin'));
    expect(logits.ids()).toHaveLength(5);
    expect(logits.get('seeds:1/0')!.k).toBe(3);
    logits.close();
    const state = JSON.parse(readFileSync(join(stageDir('answer'), 'state.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'done', rowsIn: 5, rowsOut: 5 });
    const provenance = JSON.parse(readFileSync(join(stageDir('answer'), 'provenance.json'), 'utf8'));
    expect(provenance.plugin).toBe('easydistill-plugin-testkit@1.2.3');
    expect(provenance.recipe.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance.seeds.recipe).toBe(7);
    // The trainer reads the verifier's output, and with it the log-probabilities stored by respond.
    expect(JSON.parse(readFileSync(join(stageDir('train'), 'model', 'config.json'), 'utf8'))).toMatchObject({ rows: verified.length, logitsPath: join(stageDir('answer'), 'logits.bin') });
    expect(readFileSync(join(folder, 'published', 'README.md'), 'utf8')).toContain('# demo-student');
    expect(readFileSync(join(folder, 'runs', 'demo', 'report.md'), 'utf8')).toContain('| rows |');
    const exported = lines(join(folder, 'final.jsonl')) as Array<{ conversations: unknown[] }>;
    expect(exported).toHaveLength(verified.length);
    expect(exported[0].conversations).toHaveLength(2);
    expect(events.map((event) => event.type)).toContain('stage-end');
    expect(readFileSync(closes, 'utf8').trim().split('\n')).toHaveLength(1);

    const callsBefore = calls();
    const second = await run();
    expect(calls()).toBe(callsBefore);
    expect(second.usage.calls).toBe(0);
    expect(second.stages.every((stage) => stage.status === 'skipped')).toBe(true);
  });

  it('answers a re-run of a changed stage from the request cache: 0 teacher calls', async () => {
    const { folder, run, calls } = setup();
    await run();
    const before = calls();
    // Changing the verifier re-runs it and everything after it, but no teacher call is repeated.
    const recipe = readFileSync(join(folder, 'recipe.yaml'), 'utf8').replace('maxLength: 20', 'maxLength: 19');
    writeFileSync(join(folder, 'recipe.yaml'), recipe);
    const summary = await run();
    expect(calls()).toBe(before);
    expect(summary.stages.find((stage) => stage.id === 'check')!.status).toBe('done');
    expect(summary.stages.find((stage) => stage.id === 'answer')!.status).toBe('skipped');
  });

  it('shares the request cache between runs pointed at the same cache folder: 0 teacher calls the second time', async () => {
    const { folder, calls } = setup();
    const recipePath = join(folder, 'recipe.yaml');
    writeFileSync(recipePath, readFileSync(recipePath, 'utf8').replace('seed: 7\n', 'seed: 7\ncache: ./shared-cache\n'));
    const runIn = async (runDir: string) => runRecipe(await loadRecipe(recipePath), { cwd: folder, runDir, reporter: new ProgressReporter({ mode: 'json', output: { write: () => true } as unknown as NodeJS.WritableStream }) });
    const first = await runIn('runs/first');
    expect(first.usage.calls).toBe(10);
    expect(calls()).toBe(10);
    expect(existsSync(join(folder, 'shared-cache'))).toBe(true);
    expect(existsSync(join(folder, 'runs', 'first', 'cache'))).toBe(false);
    // A different run folder: every stage runs again, every teacher answer comes from the shared cache.
    const second = await runIn('runs/second');
    expect(second.stages.every((stage) => stage.status === 'done')).toBe(true);
    expect(second.usage.calls).toBe(0);
    expect(second.usage.cacheHits).toBe(10);
    expect(calls()).toBe(10);
    expect(readFileSync(join(folder, 'runs', 'second', 'stages', 'check', 'output.jsonl'), 'utf8')).toBe(readFileSync(join(folder, 'runs', 'first', 'stages', 'check', 'output.jsonl'), 'utf8'));
  });

  it('rejects rows whose teacher call fails, and fails the stage only when every row fails', async () => {
    const partial = setup({ teacher: ', failOn: beta', stages: `\n  - { id: answer, use: testkit/respond, in: seeds, out: answered, with: { teacher: teacher } }` });
    await partial.run();
    const rejected = lines(join(partial.stageDir('answer'), 'rejected.jsonl')) as Array<{ reason: string; row: { id: string } }>;
    expect(rejected).toEqual([expect.objectContaining({ reason: expect.stringContaining('teacher refused "beta"'), row: expect.objectContaining({ id: 'seeds:2' }) })]);
    expect(lines(join(partial.stageDir('answer'), 'output.jsonl'))).toHaveLength(4);

    const all = setup({ seeds: ['ax', 'bx', 'cx'], teacher: ', failOn: x', stages: `\n  - { id: answer, use: testkit/respond, in: seeds, out: answered, with: { teacher: teacher } }` });
    const error = await all.run().catch((caught) => caught);
    expect(DistillError.isInstance(error)).toBe(true);
    expect(error.code).toBe('COMPONENT_FAILED');
    expect(error.message).toContain('failed on every row (3)');
    expect(error.message).toContain('teacher refused "ax"');
  });

  it('refuses a stage whose teacher lacks a capability before any call', async () => {
    const { run, calls } = setup({ stages: `\n  - { id: answer, use: testkit/respond, in: seeds, out: answered, with: { teacher: teacher, topLogprobs: 3 } }`, logprobs: false });
    const error = await run().catch((caught) => caught);
    expect(error.code).toBe('MISSING_CAPABILITY');
    expect(error.message).toContain('Stage "answer" (stages[0].with.teacher) needs log-probabilities (top 3)');
    expect(error.message).toContain('teacher "teacher" (testkit/echo, model echo-1)');
    expect(calls()).toBe(0);
  });

  it('refuses a later stage\'s missing capability before the earlier stages make any call', async () => {
    const { run, calls, stageDir } = setup({
      stages: `
  - { id: expand, use: testkit/expand, in: seeds, out: instructions, with: { teacher: teacher, n: 2 } }
  - { id: dedup, use: testkit/dedup, in: instructions, out: unique }
  - { id: answer, use: testkit/respond, in: unique, out: answered, with: { teacher: teacher, topLogprobs: 3 } }`,
      logprobs: false,
    });
    const error = await run().catch((caught) => caught);
    expect(error.code).toBe('MISSING_CAPABILITY');
    expect(error.message).toContain('Stage "answer" (stages[2].with.teacher)');
    expect(calls()).toBe(0);
    expect(existsSync(stageDir('expand'))).toBe(false);
  });
});
