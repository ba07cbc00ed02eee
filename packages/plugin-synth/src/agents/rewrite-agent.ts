import { z } from 'zod';
import { defineAgent, type AgentV1, type AgentV1Result, type RowV1, type TeacherV1 } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference, temperatureOption } from '../shared/common-options';
import { answersEquivalent, extractFinalAnswer } from '../shared/math-answer';
import { extractTag } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, responseOf, withMeta } from '../shared/row-text';
import { hashString } from '../shared/seeded-random';
import { generateOne } from '../shared/teacher-call';

export const rewriteAgentOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /**
   * `paraphrase`: the instruction reworded, meaning kept (the response, if any, is dropped unless
   * `keepOutput`). `cot`: the response rewritten as step-by-step reasoning with the same final answer.
   */
  mode: z.enum(['paraphrase', 'cot']).default('paraphrase'),
  /** Paraphrase mode: keep the row's `output` (only sound when the rewording cannot change the answer). */
  keepOutput: z.boolean().default(false),
  /** Cot mode: reject a rewrite whose extracted final answer differs from the original's. */
  checkAnswer: z.boolean().default(true),
  /** A reply without `<rewritten>` tags is taken whole (trimmed) instead of rejecting the row (`meta.rewrite.untagged: true`). */
  acceptUntagged: z.boolean().default(false),
  temperature: temperatureOption(0.7),
  maxTokens: maxTokensOption(2048),
  prompt: promptPath,
});
export type RewriteAgentOptions = z.output<typeof rewriteAgentOptionsSchema>;

/**
 * `synth/rewrite`: one row in, one row out with the same id. Paraphrases the instruction (meaning
 * kept, wording changed) or rewrites the response as chain-of-thought. The original text is kept
 * in `meta.rewrite.original`; an answer without `<rewritten>` tags rejects the row with the raw text.
 */
export class RewriteAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/rewrite';

  constructor(
    private readonly options: RewriteAgentOptions,
    private readonly teacher: TeacherV1,
    private readonly template: PromptTemplate,
    /** The run's seed: with the row id, it seeds the teacher's sampling, so a sampled rewrite is reproducible. */
    private readonly seed = 0,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const instruction = promptOf(row);
    const response = responseOf(row);
    if (!instruction) return { outputs: [], rejected: [{ row, reason: 'row has no instruction or user message' }] };
    if (this.options.mode === 'cot' && !response) return { outputs: [], rejected: [{ row, reason: 'cot rewriting needs a response (output) to rewrite' }] };
    const content = this.template.render({ text: instruction, instruction, response: response ?? '' });
    const choice = await generateOne(this.teacher, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens, seed: hashString(`${this.seed}:${row.id}`) });
    const tagged = extractTag(choice.text, 'rewritten');
    const untagged = !tagged && this.options.acceptUntagged && choice.text.trim().length > 0;
    const rewritten = tagged ?? (untagged ? choice.text.trim() : undefined);
    if (!rewritten) return { outputs: [], rejected: [{ row, reason: 'no <rewritten>…</rewritten> in the teacher reply', raw: choice.text }] };

    if (this.options.mode === 'paraphrase') {
      const { input: _input, messages: _messages, ...rest } = row;
      const next: RowV1 = { ...rest, instruction: rewritten };
      if (!this.options.keepOutput) delete next.output;
      return { outputs: [{ row: withMeta(next, { rewrite: { mode: 'paraphrase', original: instruction, ...(untagged ? { untagged } : {}) } }) }] };
    }
    if (this.options.checkAnswer) {
      const before = extractFinalAnswer(response!);
      const after = extractFinalAnswer(rewritten);
      if (before !== undefined && (after === undefined || !answersEquivalent(before, after))) {
        return { outputs: [], rejected: [{ row, reason: `rewritten final answer "${after ?? '(none)'}" differs from the original "${before}"`, raw: choice.text }] };
      }
    }
    const { messages: _messages, ...rest } = row;
    return { outputs: [{ row: withMeta({ ...rest, instruction: rest.instruction ?? instruction, output: rewritten }, { rewrite: { mode: 'cot', original: response, ...(untagged ? { untagged } : {}) } }) }] };
  }
}

export const rewriteAgentDefinition = defineAgent({
  id: 'rewrite',
  description: 'Rewords instructions (meaning kept) or rewrites responses as step-by-step reasoning',
  optionsSchema: rewriteAgentOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const name = options.mode === 'cot' ? 'rewrite-cot.md' : 'rewrite.md';
    const template = loadPrompt({ name, override: options.prompt, context, allowed: ['text', 'instruction', 'response'] });
    return new RewriteAgent(options, await context.getTeacher(options.teacher), template, context.seed);
  },
});
