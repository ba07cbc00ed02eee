import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe, ProgressReporter, runRecipe } from '@easydistill/core';
import { afterAll, describe, expect, it } from 'vitest';
import { LoopbackHubServer } from './test-support/loopback-hub-server';

// The local publisher as a recipe stage through core's runner, after core's testkit stages
// (a teacher that echoes, expand → dedup → respond → length check → train → evaluate): the
// README.md it publishes is the model card built from the run folder.
const testkit = fileURLToPath(new URL('../../core/src/__fixtures__/testkit-plugin', import.meta.url));
const publisherHf = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'publisher-card-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('model card of a published run', () => {
  it('names the base model, teacher, recipe, data funnel, training, evaluation, report and licence', async () => {
    writeFileSync(join(work, 'seeds.jsonl'), ['alpha', 'beta', 'gamma', 'delta', 'a much longer seed instruction'].map((instruction) => JSON.stringify({ instruction })).join('\n') + '\n');
    writeFileSync(
      join(work, 'recipe.yaml'),
      `apiVersion: easydistill/v1
name: card-demo
plugins: ["${testkit}", "${publisherHf}"]
components:
  teacher: { use: testkit/echo, options: { model: Qwen/Qwen2.5-7B-Instruct, logprobs: true } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: expand, use: testkit/expand, in: seeds, out: instructions, with: { teacher: teacher, n: 2 } }
  - { id: answer, use: testkit/respond, in: instructions, out: answered, with: { teacher: teacher, topLogprobs: 3 } }
  - { id: check, use: testkit/length, in: answered, out: verified, with: { maxLength: 20 } }
  - { id: train, use: testkit/copy, in: verified, out: student, with: { steps: 2 } }
  - { id: eval, use: testkit/count, in: verified, out: scores, with: { model: student } }
  - id: publish
    use: publisher-hf/local
    in: student
    with: { path: ./published, license: apache-2.0, baseModel: Qwen/Qwen2.5-0.5B }
`,
    );
    const output = { write: () => true } as unknown as NodeJS.WritableStream;
    const summary = await runRecipe(await loadRecipe(join(work, 'recipe.yaml')), { cwd: work, reporter: new ProgressReporter({ mode: 'json', output }) });
    const check = summary.stages.find((stage) => stage.id === 'check')!;
    expect(check.rowsRejected).toBeGreaterThan(0);

    const card = readFileSync(join(work, 'published', 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nlicense: apache-2.0\nbase_model: Qwen\/Qwen2.5-0.5B\n/);
    expect(card).toContain('| Base model | Qwen/Qwen2.5-0.5B |');
    expect(card).toContain('| Teacher | Qwen/Qwen2.5-7B-Instruct, stages expand, answer, via testkit/echo |');
    expect(card).toContain('| Recipe | card-demo |');
    expect(card).toContain(`| check | ${check.rowsIn} | ${check.rowsIn - check.rowsRejected} | length N > N: ${check.rowsRejected} |`);
    expect(card).toContain('| method | train (testkit/copy) |');
    expect(card).toMatch(/\| count \| rows \| \d+ \|/);
    expect(card).toContain('[`report.html`](./report.html)');
    expect(card).toContain('## Licence\n\n`apache-2.0`');
    expect(card).toContain('use: publisher-hf/local'); // the recipe, verbatim
    // The report the card links to was published beside it.
    expect(readFileSync(join(work, 'published', 'report.html'), 'utf8')).toContain('Run report: card-demo');
  });

  it('publishes to a (loopback) Hub from a run: card, report and model in one commit, the token nowhere in the run folder', async () => {
    const token = `hf_${createHash('sha256').update('run-card').digest('hex').slice(0, 34)}`;
    const hub = await new LoopbackHubServer(token).start();
    try {
      const folder = join(work, 'hub-run');
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'seeds.jsonl'), ['one', 'two', 'three'].map((instruction) => JSON.stringify({ instruction })).join('\n') + '\n');
      writeFileSync(
        join(folder, 'recipe.yaml'),
        `apiVersion: easydistill/v1
name: hub-demo
plugins: ["${testkit}", "${publisherHf}"]
components:
  teacher: { use: testkit/echo, options: { model: big-teacher } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: answer, use: testkit/respond, in: seeds, out: answered, with: { teacher: teacher } }
  - { id: train, use: testkit/copy, in: answered, out: student, with: { steps: 1 } }
  - id: publish
    use: publisher-hf/hub
    in: student
    with: { repo: me/hub-demo, hubUrl: "${hub.url}", tokenEnv: MY_HUB_TOKEN, license: mit }
`,
      );
      const output = { write: () => true } as unknown as NodeJS.WritableStream;
      await runRecipe(await loadRecipe(join(folder, 'recipe.yaml')), { cwd: folder, env: { MY_HUB_TOKEN: token }, reporter: new ProgressReporter({ mode: 'json', output }) });
      const repo = hub.repos.get('me/hub-demo')!;
      expect(repo.visibility).toBe('private');
      expect(repo.commits).toHaveLength(1);
      expect([...repo.files.keys()].sort()).toEqual(['README.md', 'config.json', 'report.html']);
      const card = repo.files.get('README.md')!.toString('utf8');
      expect(card).toContain('license: mit');
      expect(card).toContain('| Teacher | big-teacher, stages answer, via testkit/echo |');
      expect(repo.files.get('report.html')!.toString('utf8')).toContain('Run report: hub-demo');
      expect(hub.unexpected).toEqual([]);
      const written = readdirSync(join(folder, 'runs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      expect(written.length).toBeGreaterThan(5);
      for (const entry of written) expect(readFileSync(join(entry.parentPath, entry.name)).includes(token), entry.name).toBe(false);
    } finally {
      await hub.stop();
    }
  });
});
