import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe, LogitsStoreReader, ProgressReporter, runRecipe, type RowV1 } from '@easydistill/core';
import { preferencesCommand } from '@easydistill/plugin-synth';
import { HfModel, startServer, type RunningServer } from '@easydistill/plugin-teacher-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The synthesis recipe expand → rewrite → dedup → respond (top-10) → verify → DPO pairs, run by
// core's runner against `easydistill serve` on the tiny fixture model (random weights: gibberish)
// over real HTTP with teacher-openai/chat. Agents run with `acceptUntagged` so gibberish flows;
// a side `cot` stage shows parse failures rejected with the raw text. Assertions are structural.
const fixture = fileURLToPath(new URL('../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));

const lines = (path: string): Array<Record<string, unknown>> => {
  const text = readFileSync(path, 'utf8').trim();
  return text.length === 0 ? [] : text.split('\n').map((line) => JSON.parse(line));
};

describe('synth recipe end to end over easydistill serve', () => {
  let model: HfModel;
  let served: RunningServer;
  const folder = mkdtempSync(join(tmpdir(), 'easydistill-synth-'));
  beforeAll(async () => {
    model = await HfModel.load(fixture, { backend: 'cpu' });
    served = await startServer({ model });
  });
  afterAll(async () => {
    await served?.close();
    await model?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes every stage output and rejected file, logits at k = 10, DPO pairs in three layouts, and resumes', async () => {
    // Two identical seeds: their expansions and rewrites are identical (seeded / greedy), so dedup has work.
    const seeds = ['Explain why the sky is blue.', 'Write a poem about autumn.', 'Explain why the sky is blue.'];
    writeFileSync(join(folder, 'seeds.jsonl'), seeds.map((instruction) => JSON.stringify({ instruction })).join('\n') + '\n');
    // Prompt templates overridden by the recipe (short, so the CPU fixture model prefills quickly).
    writeFileSync(join(folder, 'expand.md'), 'Write {{n}} new tasks like: {{seed}}\nAvoid: {{avoid}}');
    writeFileSync(join(folder, 'rewrite.md'), 'Reword: {{text}}');
    writeFileSync(join(folder, 'cot.md'), 'Think, then solve: {{instruction}}');
    const teacher = { use: 'teacher-openai/chat', options: { model: 'tiny-qwen2', baseURL: served.baseURL, score: 'off', maxAttempts: 2, timeoutMs: 60_000 } };
    const recipe = {
      apiVersion: 'easydistill/v1',
      name: 'synth',
      seed: 3,
      plugins: ['@easydistill/plugin-teacher-openai', '@easydistill/plugin-synth'],
      components: { teacher, student: { ...teacher, options: { ...teacher.options, temperature: 1 } } },
      datasets: { seeds: { path: './seeds.jsonl', format: 'alpaca' } },
      stages: [
        { id: 'expand', use: 'synth/expand', in: 'seeds', out: 'instructions', with: { teacher: 'teacher', n: 1, rounds: 2, acceptUntagged: true, maxTokens: 12, prompt: './expand.md' } },
        { id: 'rewrite', use: 'synth/rewrite', in: 'instructions', out: 'rewritten', with: { teacher: 'teacher', acceptUntagged: true, temperature: 0, maxTokens: 12, prompt: './rewrite.md' } },
        { id: 'dedup', use: 'synth/dedup', in: 'rewritten', out: 'unique' },
        { id: 'respond', use: 'synth/respond', in: 'unique', out: 'answered', with: { teacher: 'teacher', topLogprobs: 10, temperature: 0, maxTokens: 10 } },
        { id: 'verify', use: 'synth/rules', in: 'answered', out: 'verified', with: { minChars: 1, banned: ['As an AI language model'] } },
        { id: 'dpo', use: 'synth/dpo-pairs', in: 'verified', out: 'pairs', with: { teacher: 'teacher', student: 'student', temperature: 1, maxTokens: 10 } },
        // Side branch: the fixture never writes Thought/Solution markers, so every row is rejected with its raw reply.
        { id: 'cot', use: 'synth/cot', in: 'unique', out: 'reasoning', with: { teacher: 'teacher', temperature: 0, maxTokens: 8, prompt: './cot.md' } },
      ],
      exports: { preferences: { from: 'pairs', path: './pairs.alpaca.jsonl', format: 'alpaca' } },
    };
    writeFileSync(join(folder, 'recipe.json'), JSON.stringify(recipe, null, 2));
    const run = async () => runRecipe(await loadRecipe(join(folder, 'recipe.json')), { cwd: folder, reporter: new ProgressReporter({ mode: 'json', output: { write: () => true } as unknown as NodeJS.WritableStream }) });
    const stage = (id: string) => join(folder, 'runs', 'synth', 'stages', id);

    const first = await run();
    expect(first.stages.map((summary) => [summary.id, summary.status])).toEqual(['expand', 'rewrite', 'dedup', 'respond', 'verify', 'dpo', 'cot'].map((id) => [id, 'done']));
    for (const id of ['expand', 'rewrite', 'dedup', 'respond', 'verify', 'dpo', 'cot']) {
      expect(existsSync(join(stage(id), 'output.jsonl')), `${id}/output.jsonl`).toBe(true);
      expect(existsSync(join(stage(id), 'rejected.jsonl')), `${id}/rejected.jsonl`).toBe(true);
      const summary = first.stages.find((item) => item.id === id)!;
      expect(lines(join(stage(id), 'output.jsonl'))).toHaveLength(summary.rowsOut);
      expect(lines(join(stage(id), 'rejected.jsonl'))).toHaveLength(summary.rowsRejected);
    }
    const byId = Object.fromEntries(first.stages.map((summary) => [summary.id, summary]));

    // expand: n = 1 per round, 2 rounds, every reply taken whole; lineage recorded.
    const instructions = lines(join(stage('expand'), 'output.jsonl')) as unknown as RowV1[];
    expect(instructions).toHaveLength(6);
    expect(instructions.map((row) => row.id)).toEqual(['seeds:1/0', 'seeds:1/1', 'seeds:2/0', 'seeds:2/1', 'seeds:3/0', 'seeds:3/1']);
    expect(instructions.every((row) => typeof row.instruction === 'string' && row.instruction.length > 0 && row.meta?.untagged === true)).toBe(true);
    expect(instructions[0]!.meta).toMatchObject({ seedId: 'seeds:1', round: 0 });

    // rewrite: one row per row, original kept; dedup drops the copies that came from the duplicate seed.
    const rewritten = lines(join(stage('rewrite'), 'output.jsonl')) as unknown as RowV1[];
    expect(rewritten).toHaveLength(6);
    expect(rewritten.every((row) => (row.meta?.rewrite as { original: string }).original.length > 0)).toBe(true);
    const unique = lines(join(stage('dedup'), 'output.jsonl')) as unknown as RowV1[];
    const dropped = lines(join(stage('dedup'), 'rejected.jsonl'));
    expect(unique.length + dropped.length).toBe(6);
    expect(dropped.map((line) => (line.row as RowV1).id)).toEqual(expect.arrayContaining(['seeds:3/0', 'seeds:3/1']));
    expect(dropped.find((line) => (line.row as RowV1).id === 'seeds:3/0')!.reason).toBe('exact duplicate of seeds:1/0');

    // respond: every unique row answered, with top-10 logits in the store, one entry per response token.
    const answered = lines(join(stage('respond'), 'output.jsonl')) as unknown as RowV1[];
    expect(answered).toHaveLength(unique.length);
    const store = LogitsStoreReader.open(join(stage('respond'), 'logits.bin'));
    try {
      expect(store.ids().sort()).toEqual(answered.map((row) => row.id).sort());
      for (const row of answered) {
        const logits = store.get(row.id)!;
        expect(logits.k).toBe(10);
        expect(logits.tokenIds.length).toBe((row.meta!.respond as { logitsTokens: number }).logitsTokens);
        expect(logits.tokenIds.length).toBeGreaterThan(0);
        expect(logits.topIds.length).toBe(logits.tokenIds.length * 10);
        // Alternatives sorted by descending log-probability.
        expect(logits.topLogprobs[0]).toBeGreaterThanOrEqual(logits.topLogprobs[1]!);
      }
    } finally {
      store.close();
    }

    // verify: rule verdicts; a failing row would be in rejected.jsonl with its reason.
    expect(byId.verify!.rowsOut + byId.verify!.rowsRejected).toBe(answered.length);
    for (const line of lines(join(stage('verify'), 'rejected.jsonl'))) expect(line.reason).toMatch(/characters < minChars|banned phrase/);

    // dpo: chosen = the teacher's (row's) answer, rejected = the student's sampled answer.
    const pairs = lines(join(stage('dpo'), 'output.jsonl')) as unknown as RowV1[];
    expect(pairs.length + byId.dpo!.rowsRejected).toBe(byId.verify!.rowsOut);
    expect(pairs.length).toBeGreaterThan(0);
    const verified = new Map((lines(join(stage('verify'), 'output.jsonl')) as unknown as RowV1[]).map((row) => [row.id, row]));
    for (const pair of pairs) {
      expect(pair.chosen).toBe(verified.get(pair.id)!.output);
      expect(typeof pair.rejected).toBe('string');
      expect(pair.rejected).not.toBe(pair.chosen);
      expect(pair.output).toBeUndefined();
      expect(pair.meta!.dpo).toMatchObject({ mode: 'teacher-student', chosenFrom: 'row', rejectedFrom: 'tiny-qwen2' });
    }
    const alpaca = lines(join(folder, 'pairs.alpaca.jsonl'));
    expect(alpaca.map((record) => [record.instruction, record.chosen, record.rejected])).toEqual(pairs.map((pair) => [pair.instruction, pair.chosen, pair.rejected]));
    const out: string[] = [];
    const io = { stdout: { write: (text: string) => (out.push(text), true) }, stderr: { write: () => true }, cwd: folder, env: {} } as unknown as Parameters<typeof preferencesCommand.run>[1];
    expect(await preferencesCommand.run([join(stage('dpo'), 'output.jsonl'), 'pairs.sharegpt.jsonl', '--format', 'sharegpt'], io)).toBe(0);
    const sharegpt = lines(join(folder, 'pairs.sharegpt.jsonl'));
    expect(sharegpt).toHaveLength(pairs.length);
    expect(sharegpt[0]).toEqual({ conversations: [{ from: 'human', value: pairs[0]!.instruction }], chosen: { from: 'gpt', value: pairs[0]!.chosen }, rejected: { from: 'gpt', value: pairs[0]!.rejected } });
    expect(out.join('')).toContain(`${pairs.length} preference pairs`);

    // cot: parse failures reject the row and keep the teacher's raw text.
    const cotRejected = lines(join(stage('cot'), 'rejected.jsonl'));
    expect(cotRejected).toHaveLength(unique.length);
    expect(cotRejected.every((line) => String(line.reason).startsWith('reply lacks a thought and a solution') && typeof line.raw === 'string')).toBe(true);

    // Resumable: a second run skips every stage and calls no teacher.
    const outputsBefore = ['expand', 'respond', 'dpo'].map((id) => readFileSync(join(stage(id), 'output.jsonl'), 'utf8'));
    const second = await run();
    expect(second.stages.every((summary) => summary.status === 'skipped')).toBe(true);
    expect(second.usage.calls).toBe(0);
    expect(['expand', 'respond', 'dpo'].map((id) => readFileSync(join(stage(id), 'output.jsonl'), 'utf8'))).toEqual(outputsBefore);

    // An unfinished last stage resumes alone; its teacher calls are answered from the request cache.
    rmSync(join(stage('dpo'), 'state.json'));
    const third = await run();
    expect(third.stages.filter((summary) => summary.status === 'done').map((summary) => summary.id)).toEqual(['dpo']);
    expect(third.usage.calls).toBe(0);
    expect(third.usage.cacheHits).toBe(byId.verify!.rowsOut);
    expect(readFileSync(join(stage('dpo'), 'output.jsonl'), 'utf8')).toBe(outputsBefore[2]);
  }, 300_000);
});
