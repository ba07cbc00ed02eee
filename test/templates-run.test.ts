import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
// steps. Every stage and option else is the template's. black-box, staged, cot and rank need an
// API teacher: a scripted OpenAI-protocol server on loopback stands in for it (the paid API this
// machine cannot reach), answering each synth prompt in the format it asks for; their students
// (staged's local scoring teacher, rank's student answering) are the fixture model. (`quickstart` runs in
// quickstart-pipeline.test.ts; eval needs the AlpacaEval set from the Hub and an API judge, and
// its three evaluator stages run in eval-run.test.ts.)
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
    if (stage.use === 'synth/respond') Object.assign(stage.with!, { maxTokens: 16, rejectTruncated: false });
    if (stage.use === 'synth/dpo-pairs') Object.assign(stage.with!, { maxTokens: 6 }); // the fixture student's own answer
    if (stage.use.startsWith('trainer-tfjs/')) Object.assign(stage.with!, { ...('from' in stage.with! ? {} : { student: fixtureModel }), backend: 'wasm', maxSteps: 2, batchSize: 2, gradientAccumulation: 1, maxLength: 256, evalFraction: 0 });
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
    const summary = await runRecipe(await loadRecipe(recipe), { cwd: folder, reporter: new ProgressReporter({ mode: 'plain', output }) }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${lines.join('')}`);
    });

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

  for (const [name, seeds] of [['black-box', 3], ['staged', 3], ['cot', 4], ['rank', 2]] as const) {
    it(`${name}: its API teacher scripted on loopback, every model a fixture`, { timeout: 300_000 }, async () => {
      const { folder, recipe, original } = shrunkTemplate(name, seeds);
      const api = await startScriptedTeacher(join(folder, 'data', 'problems.jsonl'));
      try {
        const lines: string[] = [];
        const output = { write: (text: string) => (lines.push(text), true) } as unknown as NodeJS.WritableStream;
        const env = { ...process.env, TEACHER_BASE_URL: api.baseURL, TEACHER_API_KEY: 'sk-loopback-test' };
        const summary = await runRecipe(await loadRecipe(recipe), { cwd: folder, env, reporter: new ProgressReporter({ mode: 'plain', output }) }).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\n${lines.join('')}`);
        });
        expect(summary.stages.map((stage) => stage.id)).toEqual((original.stages as Stage[]).map((stage) => stage.id));
        expect(summary.stages.every((stage) => stage.status === 'done')).toBe(true);
        expect(api.requests.length).toBeGreaterThan(0);
        expect(summary.usage.calls).toBeGreaterThanOrEqual(api.requests.length);
        // Every stage that writes data let rows through, and the last stage trained a model llm-tfjs loads.
        const trainers = new Set((original.stages as Stage[]).filter((stage) => stage.use.startsWith('trainer-tfjs/')).map((stage) => stage.id));
        for (const stage of summary.stages.filter((entry) => !trainers.has(entry.id))) expect(stage.rowsOut, `${stage.id}: ${JSON.stringify(stage)}`).toBeGreaterThan(0);
        const last = (original.stages as Stage[]).at(-1)!;
        const result = JSON.parse(readFileSync(join(folder, 'runs', name, 'stages', last.id, 'result.json'), 'utf8')) as { modelDir: string };
        (await CausalLM.load(result.modelDir)).dispose();
        // The key came from the environment and went nowhere else.
        for (const file of readdirSync(join(folder, 'runs'), { recursive: true }) as string[]) {
          const path = join(folder, 'runs', file);
          if (statSync(path).isFile() && statSync(path).size < 2 ** 22) expect(readFileSync(path, 'utf8').includes('sk-loopback-test'), file).toBe(false);
        }
      } finally {
        await new Promise((resolve) => api.server.close(resolve));
      }
    });
  }
});

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
}

const NOUNS = ['river', 'violin', 'glacier', 'bakery', 'satellite', 'orchard', 'lighthouse', 'compiler', 'volcano', 'library', 'harbour', 'telescope', 'beehive', 'railway', 'desert', 'museum', 'coral', 'windmill', 'printer', 'meadow'];

/**
 * The API teacher of the templates, scripted: an OpenAI-compatible endpoint on loopback (the
 * paid API this machine cannot reach) that answers each synth prompt in the format it asks for:
 * expand items, rewrites, CoT solutions (with the problem's reference answer), judge scores
 * (teacher answers high, anything else low), and plain answers.
 */
async function startScriptedTeacher(problemsFile: string): Promise<{ server: Server; baseURL: string; requests: ChatBody[] }> {
  const answers = new Map<string, string>();
  if (existsSync(problemsFile)) {
    for (const line of readFileSync(problemsFile, 'utf8').trim().split('\n')) {
      const row = JSON.parse(line) as { instruction: string; output: string };
      answers.set(row.instruction.trim(), row.output);
    }
  }
  let counter = 0;
  const reply = (user: string): string => {
    const section = (label: string, next: string) => user.slice(user.indexOf(`${label}:\n`) + label.length + 2, next ? user.indexOf(next, user.indexOf(`${label}:\n`)) : undefined).trim();
    if (user.includes('<item><topic>')) {
      const n = Number(/Write (\d+) NEW/.exec(user)?.[1] ?? 2);
      return Array.from({ length: n }, () => {
        counter += 1;
        const [a, b] = [NOUNS[counter % NOUNS.length], NOUNS[(counter * 7 + 3) % NOUNS.length]];
        return `<item><topic>${a} and ${b} ${counter}</topic><instruction>Describe in three sentences how a ${a} could inspire the design of a ${b}, case ${counter}.</instruction></item>`;
      }).join('\n');
    }
    if (user.includes('<rewritten>')) return `<rewritten>Please do the following: ${section('Text', '\n\nPut only')}</rewritten>`;
    if (user.includes('<factuality>')) return '<factuality>8</factuality>\n<consistency>8</consistency>\n<verdict>pass</verdict>\n<reason>none</reason>';
    if (user.includes('<verbosity>')) return `<verbosity>5</verbosity>\n<difficulty>${(counter++ % 9) + 1}</difficulty>\n<correctness>true</correctness>`;
    if (user.includes('<score>N</score>')) return `<score>${section('Response', '').startsWith('[teacher]') ? 8 : 1}</score>`;
    if (user.includes('<|begin_of_thought|>')) {
      const question = section('Question', '');
      return `<|begin_of_thought|> Read the question carefully.\n\nWork through it step by step and check the result. <|end_of_thought|>\n<|begin_of_solution|> The answer is \\boxed{${answers.get(question) ?? '0'}} <|end_of_solution|>`;
    }
    return `[teacher] A careful, complete answer to: ${user.slice(0, 60)}`;
  };
  const requests: ChatBody[] = [];
  const server = createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(text) as ChatBody;
    requests.push(body);
    const content = reply(body.messages.at(-1)!.content);
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil(body.messages.map((message) => message.content).join(' ').length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}
