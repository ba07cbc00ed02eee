import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DistillError, defineAgent, type AgentV1, type AgentV1Output, type AgentV1Result, type RowV1, type RunContextV1, type TeacherV1 } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference, temperatureOption } from '../shared/common-options';
import { extractAllTags, extractTag } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf } from '../shared/row-text';
import { SeededRandom } from '../shared/seeded-random';
import { generateOne } from '../shared/teacher-call';
import { normaliseText } from '../shared/text-normalise';

export const expandAgentOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** New instructions asked for per round. */
  n: z.number().int().min(1).max(50).default(3),
  /** Rounds per seed; each later round is told the topics already produced and must avoid them. */
  rounds: z.number().int().min(1).max(20).default(1),
  /** In-context examples shown with the seed (the seed itself plus k − 1 drawn from `examples`). */
  inContext: z.number().int().min(1).max(20).default(2),
  /** JSON or JSONL file of example instructions (rows or strings) to draw in-context examples from. */
  examples: z.string().min(1).optional(),
  /** Retries of a round whose answer did not parse (each retry uses a new sampling seed). */
  roundRetries: z.number().int().min(0).max(5).default(1),
  /**
   * A reply without `<item>`/`<instruction>` tags is taken whole as one instruction instead of
   * being retried and rejected (for teachers that ignore the format; the instruction is then
   * `meta.untagged: true`).
   */
  acceptUntagged: z.boolean().default(false),
  temperature: temperatureOption(0.8),
  maxTokens: maxTokensOption(2048),
  prompt: promptPath,
});
export type ExpandAgentOptions = z.output<typeof expandAgentOptionsSchema>;

interface Item {
  topic: string;
  instruction: string;
  untagged?: boolean;
}

/**
 * `synth/expand`: new instructions from a seed row and k in-context examples, in seed-anchored
 * rounds that avoid the topics already produced. Output ids are `${seed.id}/${k}`; each output
 * records `meta.seedId`, `meta.round` and `meta.topic` for lineage.
 */
export class ExpandAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/expand';

  constructor(
    private readonly options: ExpandAgentOptions,
    private readonly teacher: TeacherV1,
    private readonly template: PromptTemplate,
    private readonly pool: readonly string[],
    private readonly seed: number,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const seedText = promptOf(row);
    if (!seedText) return { outputs: [], rejected: [{ row, reason: 'seed row has no instruction or user message' }] };
    const random = new SeededRandom(`${this.seed}:${row.id}`);
    const others = this.pool.filter((text) => normaliseText(text) !== normaliseText(seedText));
    const examples = [seedText, ...random.sample(others, this.options.inContext - 1)];
    const seen = new Set<string>([normaliseText(seedText)]);
    const topics: string[] = [];
    const outputs: AgentV1Output[] = [];
    let lastRaw = '';
    for (let round = 0; round < this.options.rounds; round++) {
      let items: Item[] = [];
      for (let attempt = 0; attempt <= this.options.roundRetries && items.length === 0; attempt++) {
        const content = this.template.render({
          n: this.options.n,
          seed: seedText,
          examples: examples.map((text, index) => `${index + 1}. ${text}`).join('\n'),
          avoid: topics.length > 0 ? topics.map((topic) => `- ${topic}`).join('\n') : '(none yet)',
        });
        const choice = await generateOne(this.teacher, {
          messages: [{ role: 'user', content }],
          temperature: this.options.temperature,
          maxTokens: this.options.maxTokens,
          // A new seed per round and attempt: the request cache must not answer a retry with the reply that failed.
          seed: this.seed + round * 101 + attempt,
        });
        lastRaw = choice.text;
        items = parseItems(choice.text);
        if (items.length === 0 && this.options.acceptUntagged && choice.text.trim().length > 0) {
          const instruction = choice.text.trim();
          items = [{ instruction, topic: topicFrom(instruction), untagged: true }];
        }
      }
      for (const item of items) {
        const instructionKey = normaliseText(item.instruction);
        const topicKey = `topic:${normaliseText(item.topic)}`;
        if (instructionKey.length === 0 || seen.has(instructionKey) || seen.has(topicKey)) continue;
        seen.add(instructionKey);
        seen.add(topicKey);
        topics.push(item.topic);
        outputs.push({
          row: { id: `${row.id}/${outputs.length}`, instruction: item.instruction, meta: { seedId: row.id, round, topic: item.topic, ...(item.untagged ? { untagged: true } : {}) } },
        });
      }
    }
    if (outputs.length === 0) {
      return { outputs, rejected: [{ row, reason: 'no <item><topic>…</topic><instruction>…</instruction></item> in the teacher reply', raw: lastRaw }] };
    }
    return { outputs };
  }
}

/** Items from `<item>` blocks; falls back to bare `<instruction>` (or v1-style `<answer>`) tags. */
export function parseItems(text: string): Item[] {
  const blocks = extractAllTags(text, 'item');
  if (blocks.length > 0) {
    return blocks.flatMap((block) => {
      const instruction = extractTag(block, 'instruction');
      if (!instruction) return [];
      return [{ instruction, topic: extractTag(block, 'topic') ?? topicFrom(instruction) }];
    });
  }
  const bare = [...extractAllTags(text, 'instruction'), ...extractAllTags(text, 'answer')];
  return bare.filter((instruction) => instruction.length > 0).map((instruction) => ({ instruction, topic: topicFrom(instruction) }));
}

function topicFrom(instruction: string): string {
  return instruction.split(/\s+/).slice(0, 6).join(' ');
}

/** Example instructions from a JSON array or JSONL file of rows or strings. */
export function loadExamples(path: string, context: Pick<RunContextV1, 'recipeDir'>): string[] {
  const file = isAbsolute(path) ? path : resolve(context.recipeDir, path);
  if (!existsSync(file)) throw new DistillError({ code: 'INVALID_RECIPE', message: `with.examples: ${file} does not exist (relative paths resolve against the recipe folder).` });
  const text = readFileSync(file, 'utf8').trim();
  let items: unknown[];
  try {
    items = text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as unknown);
  } catch (error) {
    throw new DistillError({ code: 'INVALID_DATASET', message: `with.examples: ${file} is neither a JSON array nor JSONL: ${(error as Error).message}`, cause: error });
  }
  return items.flatMap((item) => {
    if (typeof item === 'string') return [item];
    const prompt = item && typeof item === 'object' ? promptOf(item as RowV1) : undefined;
    return prompt ? [prompt] : [];
  });
}

export const expandAgentDefinition = defineAgent({
  id: 'expand',
  description: 'New instructions from seed rows and in-context examples, in topic-avoiding rounds',
  optionsSchema: expandAgentOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'expand.md', override: options.prompt, context, allowed: ['n', 'seed', 'examples', 'avoid'] });
    const pool = options.examples ? loadExamples(options.examples, context) : [];
    return new ExpandAgent(options, await context.getTeacher(options.teacher), template, pool, context.seed);
  },
});
