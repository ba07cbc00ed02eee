// A small plugin for core's tests, in plain ESM JavaScript (what a third party might write).
// Deterministic: every answer is a function of the request, so runs can be compared row for row.
import { appendFileSync, cpSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { definePlugin, defineAgent, defineEvaluator, definePublisher, defineSelector, defineTeacher, defineTrainer, defineVerifier } from '@easydistill/core';

const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function tokens(text) {
  return text.split(/(?<=\s)/).filter(Boolean);
}

function tokenId(token) {
  let hash = 0;
  for (const char of token) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 5000;
}

class EchoTeacher {
  specificationVersion = 'v1';
  componentId = 'testkit/echo';
  constructor(options, context) {
    this.options = options;
    this.context = context;
    this.modelId = options.model;
  }
  async doCapabilities() {
    return { logprobs: this.options.logprobs, maxTopLogprobs: this.options.logprobs ? 5 : 0, score: false };
  }
  async doGenerate(request) {
    if (this.options.counterFile) appendFileSync(this.options.counterFile, 'call\n');
    await sleep(this.options.delayMs);
    const prompt = request.messages.at(-1).content;
    if (this.options.failOn && prompt.includes(this.options.failOn)) throw new Error(`teacher refused "${prompt}"`);
    const n = request.n ?? 1;
    const choices = [];
    for (let index = 0; index < n; index += 1) {
      const text = `${this.options.prefix}${prompt}${n > 1 ? ` #${index}` : ''}`;
      const choice = { text, finishReason: 'stop' };
      if (request.topLogprobs) {
        choice.logprobs = tokens(text).map((token, position) => ({
          token,
          id: tokenId(token),
          logprob: -0.25 * (position % 4),
          top: Array.from({ length: request.topLogprobs }, (_, rank) => ({ token: `${token}${rank}`, id: tokenId(`${token}${rank}`), logprob: -0.25 * (position % 4) - rank })),
        }));
      }
      choices.push(choice);
    }
    return { model: this.modelId, usage: { promptTokens: tokens(prompt).length, completionTokens: choices.length }, choices };
  }
  async doClose() {
    if (this.options.closeFile) appendFileSync(this.options.closeFile, 'closed\n');
  }
}

class ExpandAgent {
  specificationVersion = 'v1';
  componentId = 'testkit/expand';
  constructor(options, context) {
    this.options = options;
    this.context = context;
    this.concurrency = options.concurrency;
  }
  async doProcess(row) {
    const teacher = await this.context.getTeacher(this.options.teacher);
    const response = await teacher.doGenerate({ messages: [{ role: 'user', content: row.instruction }], n: this.options.n });
    return { outputs: response.choices.map((choice, index) => ({ row: { id: `${row.id}/${index}`, instruction: choice.text, meta: { seed: row.id } } })) };
  }
}

class RespondAgent {
  specificationVersion = 'v1';
  componentId = 'testkit/respond';
  constructor(options, context) {
    this.options = options;
    this.context = context;
    this.concurrency = options.concurrency;
  }
  async doProcess(row) {
    const teacher = await this.context.getTeacher(this.options.teacher);
    const response = await teacher.doGenerate({ messages: [{ role: 'user', content: row.instruction }], topLogprobs: this.options.topLogprobs || undefined });
    const choice = response.choices[0];
    if (choice.text.includes('REJECT')) return { outputs: [], rejected: [{ row, reason: 'answer asked to be rejected', raw: choice.text }] };
    const output = { row: { ...row, output: choice.text } };
    if (this.options.topLogprobs && choice.logprobs) {
      const k = this.options.topLogprobs;
      output.logits = {
        k,
        tokenIds: Int32Array.from(choice.logprobs.map((entry) => entry.id)),
        topIds: Int32Array.from(choice.logprobs.flatMap((entry) => entry.top.map((top) => top.id))),
        topLogprobs: Float32Array.from(choice.logprobs.flatMap((entry) => entry.top.map((top) => top.logprob))),
      };
    }
    return { outputs: [output] };
  }
}

class LengthVerifier {
  specificationVersion = 'v1';
  componentId = 'testkit/length';
  constructor(options) {
    this.options = options;
  }
  async doVerify(row) {
    await sleep(this.options.delayMs);
    const length = (row.output ?? row.instruction ?? '').length;
    return length <= this.options.maxLength
      ? { pass: true, reason: 'short enough', annotations: { length } }
      : { pass: false, reason: `length ${length} > ${this.options.maxLength}`, annotations: { length } };
  }
}

class DedupSelector {
  specificationVersion = 'v1';
  componentId = 'testkit/dedup';
  constructor(options) {
    this.options = options;
  }
  async *doSelect(rows) {
    const seen = new Set();
    for await (const row of rows) {
      await sleep(this.options.delayMs);
      const key = String(row[this.options.field] ?? '').replace(/ #\d+$/, '');
      yield seen.has(key) ? { row, keep: false, reason: `duplicate of "${key}"` } : { row, keep: true };
      seen.add(key);
    }
  }
}

class CountEvaluator {
  specificationVersion = 'v1';
  componentId = 'testkit/count';
  constructor(options, context) {
    this.options = options;
    this.context = context;
  }
  async doEvaluate(request) {
    let rows = 0;
    if (request.input) for await (const _row of request.input.rows()) rows += 1;
    const model = this.options.model ? this.context.resolveModel(this.options.model) : undefined;
    writeFileSync(join(request.outputDir, 'items.jsonl'), '');
    return { benchmark: 'count', metrics: { student: { rows } }, table: `| model | rows |\n| --- | --- |\n| ${model ? 'student' : '-'} | ${rows} |` };
  }
}

class CopyTrainer {
  specificationVersion = 'v1';
  componentId = 'testkit/copy';
  constructor(options, context) {
    this.options = options;
    this.context = context;
  }
  async doTrain(request) {
    const rows = await request.train.count();
    const checkpoint = join(request.checkpointDir, 'step.json');
    let step = existsSync(checkpoint) ? JSON.parse(readFileSync(checkpoint, 'utf8')).step : 0;
    this.context.progress.start(this.options.steps, 'steps');
    for (; step < this.options.steps; step += 1) {
      await sleep(this.options.delayMs);
      writeFileSync(checkpoint, JSON.stringify({ step: step + 1 }));
      this.context.progress.advance(1, { loss: 1 / (step + 1) });
    }
    mkdirSync(request.outputDir, { recursive: true });
    writeFileSync(join(request.outputDir, 'config.json'), JSON.stringify({ rows, steps: this.options.steps, logitsPath: request.train.logitsPath ?? null }));
    return { modelDir: request.outputDir, metrics: { rows, steps: this.options.steps } };
  }
}

class FolderPublisher {
  specificationVersion = 'v1';
  componentId = 'testkit/folder';
  constructor(options, context) {
    this.target = join(context.recipeDir, options.target);
  }
  async doPublish(request) {
    cpSync(request.modelDir, this.target, { recursive: true });
    writeFileSync(join(this.target, 'README.md'), request.modelCard);
    return { location: this.target };
  }
}

export default definePlugin({
  name: 'easydistill-plugin-testkit',
  version: '1.2.3',
  apiVersion: 1,
  namespace: 'testkit',
  provides: [
    defineTeacher({
      id: 'echo',
      description: 'Answers with its prompt (deterministic).',
      optionsSchema: z.strictObject({
        model: z.string().default('echo-1'),
        prefix: z.string().default('echo: '),
        delayMs: z.number().int().min(0).default(0),
        logprobs: z.boolean().default(false),
        failOn: z.string().optional(),
        counterFile: z.string().optional(),
        closeFile: z.string().optional(),
      }),
      opensModels: true,
      create: ({ options, context }) => new EchoTeacher(options, context),
    }),
    defineAgent({
      id: 'expand',
      description: 'Asks the teacher for n variants of each instruction.',
      optionsSchema: z.strictObject({ teacher: z.string(), n: z.number().int().positive().default(2), concurrency: z.number().int().positive().optional() }),
      teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
      create: ({ options, context }) => new ExpandAgent(options, context),
    }),
    defineAgent({
      id: 'respond',
      description: 'Asks the teacher to answer each instruction.',
      optionsSchema: z.strictObject({ teacher: z.string(), topLogprobs: z.number().int().min(0).max(20).default(0), concurrency: z.number().int().positive().optional() }),
      teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher', topLogprobs: options.topLogprobs || undefined }],
      writesLogits: (options) => options.topLogprobs > 0,
      create: ({ options, context }) => new RespondAgent(options, context),
    }),
    defineVerifier({
      id: 'length',
      optionsSchema: z.strictObject({ maxLength: z.number().int().positive(), delayMs: z.number().int().min(0).default(0) }),
      create: ({ options }) => new LengthVerifier(options),
    }),
    defineSelector({
      id: 'dedup',
      optionsSchema: z.strictObject({ field: z.string().default('instruction'), delayMs: z.number().int().min(0).default(0) }),
      create: ({ options }) => new DedupSelector(options),
    }),
    defineEvaluator({
      id: 'count',
      optionsSchema: z.strictObject({ model: z.string().optional() }),
      create: ({ options, context }) => new CountEvaluator(options, context),
    }),
    defineTrainer({
      id: 'copy',
      optionsSchema: z.strictObject({ steps: z.number().int().positive().default(3), delayMs: z.number().int().min(0).default(0) }),
      create: ({ options, context }) => new CopyTrainer(options, context),
    }),
    definePublisher({
      id: 'folder',
      optionsSchema: z.strictObject({ target: z.string() }),
      create: ({ options, context }) => new FolderPublisher(options, context),
    }),
  ],
});
