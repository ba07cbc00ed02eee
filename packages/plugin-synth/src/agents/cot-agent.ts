import { z } from 'zod';
import { defineAgent, type AgentV1, type AgentV1Result, type RowV1, type TeacherV1 } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference, temperatureOption } from '../shared/common-options';
import { formatThoughtSolution, parseThoughtSolution } from '../shared/cot-format';
import { answersEquivalent, extractFinalAnswer } from '../shared/math-answer';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, responseOf, withMeta } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';

export const cotAgentOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** `generate` reasoning for a question; `long-to-short` simplify it; `short-to-long` extend it. */
  mode: z.enum(['generate', 'long-to-short', 'short-to-long']).default('generate'),
  /** Output format: the original Thought/Solution markers, or `<think>…</think>` then the solution. */
  format: z.enum(['markers', 'think']).default('markers'),
  /** Rewriting modes: reject a rewrite whose thought is not shorter (long-to-short) or longer (short-to-long). */
  checkLength: z.boolean().default(true),
  /** Rewriting modes: reject a rewrite whose final answer differs from the original's. */
  checkAnswer: z.boolean().default(true),
  temperature: temperatureOption(0.7),
  maxTokens: maxTokensOption(4096),
  prompt: promptPath,
});
export type CotAgentOptions = z.output<typeof cotAgentOptionsSchema>;

/**
 * `synth/cot`: chain-of-thought in the Thought/Solution format. One row in, one row out with the
 * same id; `meta.cot` holds the mode and the thought lengths. A reply without both
 * parts rejects the row with the raw text.
 */
export class CotAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/cot';

  constructor(
    private readonly options: CotAgentOptions,
    private readonly teacher: TeacherV1,
    private readonly template: PromptTemplate,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const { mode } = this.options;
    const instruction = promptOf(row);
    const response = responseOf(row);
    if (!instruction) return { outputs: [], rejected: [{ row, reason: 'row has no instruction or user message' }] };
    if (mode !== 'generate' && !response) return { outputs: [], rejected: [{ row, reason: `${mode} needs the reasoning to rewrite in the row's output` }] };
    const content = this.template.render({ instruction, response: response ?? '' });
    const choice = await generateOne(this.teacher, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const trace = parseThoughtSolution(choice.text);
    if (!trace) return { outputs: [], rejected: [{ row, reason: 'reply lacks a thought and a solution (<|begin_of_thought|>…<|end_of_thought|><|begin_of_solution|>…<|end_of_solution|>)', raw: choice.text }] };

    const original = mode === 'generate' ? undefined : (parseThoughtSolution(response!) ?? { thought: response!, solution: response! });
    if (original && this.options.checkLength) {
      const shorter = trace.thought.length < original.thought.length;
      if (mode === 'long-to-short' && !shorter) return { outputs: [], rejected: [{ row, reason: `long-to-short rewrite is not shorter (${trace.thought.length} ≥ ${original.thought.length} characters of thought)`, raw: choice.text }] };
      if (mode === 'short-to-long' && trace.thought.length <= original.thought.length) return { outputs: [], rejected: [{ row, reason: `short-to-long rewrite is not longer (${trace.thought.length} ≤ ${original.thought.length} characters of thought)`, raw: choice.text }] };
    }
    if (original && this.options.checkAnswer) {
      const before = extractFinalAnswer(original.solution);
      const after = extractFinalAnswer(trace.solution);
      if (before !== undefined && (after === undefined || !answersEquivalent(before, after))) {
        return { outputs: [], rejected: [{ row, reason: `rewritten solution's answer "${after ?? '(none)'}" differs from the original "${before}"`, raw: choice.text }] };
      }
    }
    const { messages: _messages, ...rest } = row;
    const output = formatThoughtSolution(trace, this.options.format);
    return {
      outputs: [
        {
          row: withMeta({ ...rest, instruction: rest.instruction ?? instruction, output }, {
            cot: { mode, thoughtChars: trace.thought.length, originalThoughtChars: original?.thought.length },
          }),
        },
      ],
    };
  }
}

export const cotAgentDefinition = defineAgent({
  id: 'cot',
  description: 'Chain-of-thought generation and long-to-short / short-to-long reasoning rewriting',
  optionsSchema: cotAgentOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: `cot-${options.mode}.md`, override: options.prompt, context, allowed: ['instruction', 'response'] });
    return new CotAgent(options, await context.getTeacher(options.teacher), template);
  },
});
