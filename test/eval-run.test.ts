import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe, ProgressReporter, runRecipe } from '@easydistill/core';
import { HfModel, startServer, type RunningServer } from '@easydistill/plugin-teacher-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The three evaluators run as recipe stages through core's runner: the student is the tiny
// fixture model behind `easydistill serve` on loopback (random weights, greedy), reached through
// teacher-openai/chat; the teacher and the judge are a scripted OpenAI-protocol server on
// loopback (the judge is a paid API this machine cannot reach), with log-probabilities.
const fixture = fileURLToPath(new URL('../packages/plugin-teacher-local/src/__fixtures__/tiny-qwen2', import.meta.url));
const alpacaFixtures = fileURLToPath(new URL('../packages/plugin-eval-alpaca/src/__fixtures__/', import.meta.url));

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  temperature?: number;
  logprobs?: boolean;
  top_logprobs?: number;
}

/** The alpaca judge's verdict: the output shown as `m` (first) or `M` (second) that is the teacher's, else `M`. */
function alpacaVerdict(user: string): 'm' | 'M' {
  const first = user.slice(user.indexOf('"output": """') + 13);
  return first.startsWith('[teacher]') ? 'm' : 'M';
}

/** The scripted teacher and judge behind one OpenAI-compatible endpoint. */
function scriptedAnswer(body: ChatBody): { content: string; logprobs?: unknown } {
  const user = body.messages.at(-1)!.content;
  if (body.model === 'teacher') return { content: `[teacher] ${user.slice(0, 40)}` };
  if (user.includes('## Model Outputs')) {
    const verdict = alpacaVerdict(user);
    const other = verdict === 'm' ? 'M' : 'm';
    const top = [
      { token: verdict, logprob: -0.05 },
      { token: other, logprob: -3 },
      { token: 'The', logprob: -6 },
    ].slice(0, body.top_logprobs ?? 0);
    return { content: verdict, logprobs: body.logprobs ? { content: [{ token: verdict, logprob: -0.05, top_logprobs: top }] } : undefined };
  }
  if (body.messages.some((message) => message.content.includes('Please act as an impartial judge'))) {
    return { content: user.includes('[teacher]') ? 'Very good. Rating: [[9]]' : 'Poor. Rating: [[2]]' };
  }
  throw new Error(`unexpected request to the scripted endpoint: ${user.slice(0, 80)}`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

async function startScriptedEndpoint(): Promise<{ server: Server; baseURL: string; requests: ChatBody[] }> {
  const requests: ChatBody[] = [];
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(await readBody(request)) as ChatBody;
      requests.push(body);
      const { content, logprobs } = scriptedAnswer(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 0,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', ...(logprobs ? { logprobs } : {}) }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    } catch (error) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: (error as Error).message } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));

describe('ifeval/run, alpaca/run and mtbench/run through the runner, the student behind easydistill serve', () => {
  let model: HfModel;
  let served: RunningServer;
  let scripted: Awaited<ReturnType<typeof startScriptedEndpoint>>;
  const folder = mkdtempSync(join(tmpdir(), 'easydistill-eval-'));
  beforeAll(async () => {
    model = await HfModel.load(fixture, { backend: 'cpu' });
    served = await startServer({ model });
    scripted = await startScriptedEndpoint();
  });
  afterAll(async () => {
    await served?.close();
    await model?.close();
    await new Promise((resolve) => scripted?.server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  it('writes per-item results, summaries and teacher-vs-student tables for all three', async () => {
    const openai = (name: string, baseURL: string) => ({ use: 'teacher-openai/chat', options: { model: name, baseURL, score: 'off', maxAttempts: 1, timeoutMs: 60_000 } });
    const recipe = {
      apiVersion: 'easydistill/v1',
      name: 'evals',
      plugins: ['@easydistill/plugin-teacher-openai', '@easydistill/plugin-eval-ifeval', '@easydistill/plugin-eval-alpaca', '@easydistill/plugin-eval-mtbench'],
      components: { student: openai('tiny-qwen2', served.baseURL), teacher: openai('teacher', scripted.baseURL), judge: openai('judge', scripted.baseURL) },
      stages: [
        { id: 'ifeval', use: 'ifeval/run', with: { models: { teacher: 'teacher', student: 'student' }, limit: 3, maxTokens: 12 } },
        {
          id: 'alpaca',
          use: 'alpaca/run',
          with: { models: ['teacher', 'student'], judge: 'judge', data: { localPath: alpacaFixtures }, limit: 6, generation: { maxTokens: 12 }, c: 2.782559402207126 },
        },
        { id: 'mtbench', use: 'mtbench/run', with: { models: { teacher: 'teacher', student: 'student' }, judge: 'judge', limit: 2, maxTokens: 12 } },
      ],
    };
    writeFileSync(join(folder, 'recipe.json'), JSON.stringify(recipe, null, 2));
    const events: string[] = [];
    const output = { write: (text: string) => (events.push(text), true) } as unknown as NodeJS.WritableStream;
    const summary = await runRecipe(await loadRecipe(join(folder, 'recipe.json')), { cwd: folder, reporter: new ProgressReporter({ mode: 'json', output }) });
    expect(summary.stages.map((stage) => stage.status)).toEqual(['done', 'done', 'done']);
    const stage = (id: string) => join(folder, 'runs', 'evals', 'stages', id, 'eval');

    // IFEval: greedy answers from the served student, scored; the official files per model.
    const ifevalItems = lines(join(stage('ifeval'), 'items.jsonl'));
    expect(ifevalItems).toHaveLength(6);
    const studentResponses = lines(join(stage('ifeval'), 'student', 'input_response_data.jsonl'));
    expect(studentResponses).toHaveLength(3);
    expect(studentResponses.every((row) => typeof row.response === 'string' && row.response.length > 0)).toBe(true);
    expect(lines(join(stage('ifeval'), 'student', 'eval_results_loose.jsonl'))).toHaveLength(3);
    const ifevalSummary = JSON.parse(readFileSync(join(stage('ifeval'), 'summary.json'), 'utf8'));
    expect(Object.keys(ifevalSummary.models)).toEqual(['teacher', 'student']);
    for (const key of ['prompt_level_strict_acc', 'inst_level_strict_acc', 'prompt_level_loose_acc', 'inst_level_loose_acc']) {
      expect(ifevalSummary.models.student[key]).toBeGreaterThanOrEqual(0);
      expect(ifevalSummary.models.student[key]).toBeLessThanOrEqual(1);
    }
    expect(readFileSync(join(stage('ifeval'), '..', 'report.md'), 'utf8')).toContain('| IFEval (%) | teacher | student |');

    // AlpacaEval: outputs, judged with the order switch through the log-probabilities over HTTP.
    const alpaca = JSON.parse(readFileSync(join(stage('alpaca'), 'summary.json'), 'utf8'));
    expect(alpaca.models.teacher.win_rate).toBeGreaterThan(90);
    expect(alpaca.models.student.win_rate).toBeLessThan(alpaca.models.teacher.win_rate);
    expect(alpaca.models.student.n_total).toBe(6);
    const studentOutputs = JSON.parse(readFileSync(join(stage('alpaca'), 'model_outputs', 'student.json'), 'utf8'));
    expect(studentOutputs).toHaveLength(6);
    expect(studentOutputs.every((row: { output: unknown; generator: string }) => typeof row.output === 'string' && row.generator === 'student')).toBe(true);
    expect(lines(join(stage('alpaca'), 'items.jsonl'))).toHaveLength(12);
    const judgeCalls = scripted.requests.filter((request) => request.model === 'judge' && request.logprobs);
    expect(judgeCalls).toHaveLength(12);
    expect(judgeCalls.every((request) => request.top_logprobs === 5 && request.max_tokens === 1 && request.temperature === 1)).toBe(true);
    expect(readFileSync(join(stage('alpaca'), 'table.md'), 'utf8')).toContain('| AlpacaEval 2.0 | teacher | student |');

    // MT-Bench: two turns per question from each model, graded by the judge: 9 for the teacher, 2 for the student.
    const mtbench = JSON.parse(readFileSync(join(stage('mtbench'), 'summary.json'), 'utf8'));
    expect(mtbench.models.teacher).toMatchObject({ score: 9, turn_1: 9, turn_2: 9, n: 4, n_invalid: 0 });
    expect(mtbench.models.student).toMatchObject({ score: 2, turn_1: 2, turn_2: 2, n: 4, n_invalid: 0 });
    const answers = lines(join(stage('mtbench'), 'model_answer', 'student.jsonl'));
    expect(answers.map((answer) => answer.question_id)).toEqual([81, 82]);
    expect(answers.every((answer) => answer.choices[0].turns.length === 2)).toBe(true);
    expect(lines(join(stage('mtbench'), 'model_judgment', 'judge_single.jsonl'))).toHaveLength(8);
    const result = JSON.parse(readFileSync(join(stage('mtbench'), '..', 'result.json'), 'utf8'));
    expect(result.metrics.student.score).toBe(2);
    expect(result.table).toContain('| MT-Bench score | 9.00 | 2.00 | -7.00 |');
  });
});

describe('evaluator recipes with a wrong teacher reference', () => {
  it.each([
    ['mtbench/run', '{ models: { student: student }, judge: nobody }', 'with.judge'],
    ['alpaca/run', '{ models: [student, nobody], judge: student }', 'with.models[1]'],
    ['ifeval/run', '{ models: { teacher: nobody } }', 'with.models.teacher'],
    ['ifeval/run', '{ models: [student, nobody] }', 'with.models[1]'],
  ])('%s: refused before any call, naming the recipe path and line', async (use, options, path) => {
    const folder = mkdtempSync(join(tmpdir(), 'easydistill-eval-bad-'));
    try {
      writeFileSync(
        join(folder, 'recipe.yaml'),
        [
          'apiVersion: easydistill/v1',
          'name: bad',
          'plugins: ["@easydistill/plugin-teacher-openai", "@easydistill/plugin-eval-ifeval", "@easydistill/plugin-eval-alpaca", "@easydistill/plugin-eval-mtbench"]',
          'components:',
          '  student: { use: teacher-openai/chat, options: { model: m, baseURL: "http://127.0.0.1:9/v1" } }',
          'stages:',
          `  - { id: eval, use: ${use}, with: ${options} }`,
          '',
        ].join('\n'),
      );
      const error = await loadRecipe(join(folder, 'recipe.yaml')).catch((caught: unknown) => caught as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`stages[0].${path}`);
      expect((error as Error).message).toContain('nobody');
      expect((error as Error).message).toContain('recipe.yaml (1 problem)');
      expect((error as Error).message).toMatch(/\(line 7\)$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
