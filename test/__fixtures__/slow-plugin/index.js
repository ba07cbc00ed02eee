// A deliberately slow, deterministic plugin for crash tests: every component waits a little per
// row, so a run of ~30 rows lasts long enough to be killed at many points. Written the way a third
// party could: a plain-object manifest (no import of @easydistill/core), zod for options.
import { appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';

const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
const hash = (text) => Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16);

class EchoTeacher {
  specificationVersion = 'v1';
  componentId = 'slow/echo';
  constructor(options) {
    this.options = options;
    this.modelId = options.model;
  }
  async doCapabilities() {
    return { logprobs: false, maxTopLogprobs: 0, score: false };
  }
  async doGenerate(request) {
    // One line per real call (cache hits never reach here): tests count teacher calls with it.
    if (this.options.counterFile) appendFileSync(this.options.counterFile, `${request.messages.at(-1).content}\n`);
    await sleep(this.options.delayMs);
    const prompt = request.messages.at(-1).content;
    return { model: this.modelId, usage: { promptTokens: prompt.length, completionTokens: prompt.length }, choices: [{ text: prompt.toUpperCase(), finishReason: 'stop' }] };
  }
}

// Asks the teacher for each row; every third row fans out into two output rows.
class ShoutAgent {
  specificationVersion = 'v1';
  componentId = 'slow/shout';
  constructor(options, context) {
    this.options = options;
    this.context = context;
    this.concurrency = options.concurrency;
  }
  async doProcess(row) {
    const teacher = await this.context.getTeacher(this.options.teacher);
    const response = await teacher.doGenerate({ messages: [{ role: 'user', content: row.instruction }], temperature: 0 });
    const text = response.choices[0].text;
    const outputs = [{ row: { id: `${row.id}/a`, instruction: text, meta: { from: row.id } } }];
    if (hash(row.id) % 3 === 0) outputs.push({ row: { id: `${row.id}/b`, instruction: `${text}!`, meta: { from: row.id } } });
    return { outputs };
  }
}

// Keeps rows whose id hash is not a multiple of `dropEvery`.
class HashSelector {
  specificationVersion = 'v1';
  componentId = 'slow/hash-filter';
  constructor(options) {
    this.options = options;
  }
  async *doSelect(rows) {
    for await (const row of rows) {
      await sleep(this.options.delayMs);
      const drop = hash(row.id) % this.options.dropEvery === 0;
      yield drop ? { row, keep: false, reason: `hash % ${this.options.dropEvery} = 0` } : { row, keep: true };
    }
  }
}

// Answers each row without a teacher (a slow, pure transform); rejects rows whose text is long.
class AnswerAgent {
  specificationVersion = 'v1';
  componentId = 'slow/answer';
  constructor(options) {
    this.options = options;
    this.concurrency = options.concurrency;
  }
  async doProcess(row) {
    // Uneven delays so rows finish out of order inside the concurrency window.
    await sleep(this.options.delayMs * (1 + (hash(row.id) % 3)));
    if (row.instruction.length > this.options.maxLength) return { outputs: [], rejected: [{ row, reason: `longer than ${this.options.maxLength}` }] };
    return { outputs: [{ row: { ...row, output: `answer to ${row.instruction}` } }] };
  }
}

class PrefixVerifier {
  specificationVersion = 'v1';
  componentId = 'slow/check';
  constructor(options) {
    this.options = options;
  }
  async doVerify(row) {
    await sleep(this.options.delayMs);
    const ok = row.output.startsWith('answer to ');
    return ok ? { pass: true, reason: 'ok', annotations: { length: row.output.length } } : { pass: false, reason: 'no answer' };
  }
}

export default {
  name: 'easydistill-plugin-slow',
  version: '0.0.1',
  apiVersion: 1,
  namespace: 'slow',
  provides: [
    {
      kind: 'teacher',
      id: 'echo',
      specificationVersion: 'v1',
      description: 'Upper-cases its prompt after a delay.',
      optionsSchema: z.strictObject({ model: z.string().default('slow-echo'), delayMs: z.number().int().min(0).default(10), counterFile: z.string().optional() }),
      create: ({ options }) => new EchoTeacher(options),
    },
    {
      kind: 'agent',
      id: 'shout',
      specificationVersion: 'v1',
      optionsSchema: z.strictObject({ teacher: z.string(), concurrency: z.number().int().positive().default(3) }),
      teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
      create: ({ options, context }) => new ShoutAgent(options, context),
    },
    {
      kind: 'selector',
      id: 'hash-filter',
      specificationVersion: 'v1',
      optionsSchema: z.strictObject({ dropEvery: z.number().int().min(2).default(4), delayMs: z.number().int().min(0).default(5) }),
      create: ({ options }) => new HashSelector(options),
    },
    {
      kind: 'agent',
      id: 'answer',
      specificationVersion: 'v1',
      optionsSchema: z.strictObject({ delayMs: z.number().int().min(0).default(10), maxLength: z.number().int().positive().default(1000), concurrency: z.number().int().positive().default(4) }),
      create: ({ options }) => new AnswerAgent(options),
    },
    {
      kind: 'verifier',
      id: 'check',
      specificationVersion: 'v1',
      optionsSchema: z.strictObject({ delayMs: z.number().int().min(0).default(5) }),
      create: ({ options }) => new PrefixVerifier(options),
    },
  ],
};
