import { z } from 'zod';
import { DistillError, defineAgent, type AgentV1, type AgentV1Result, type RowV1, type TeacherNeedV1, type TeacherV1, type TopKLogitsV1 } from '@easydistill/core';
import { maxTokensOption, teacherReference, temperatureOption } from '../shared/common-options';
import { questionMessages, responseOf, withMeta } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';
import { toTopKLogits } from '../shared/to-top-k-logits';

export const respondAgentOptionsSchema = z.strictObject({
    teacher: teacherReference,
    /** System prompt put before the row's question (a row's own `system` is used otherwise). */
    system: z.string().optional(),
    /**
     * Store the teacher's top-k log-probabilities of each generated token (0 = none). At most what
     * the teacher returns (its `maxTopLogprobs`: 20 for OpenAI, the vocabulary for a local model);
     * a value at or above the vocabulary size stores the whole distribution.
     */
    topLogprobs: z.number().int().min(0).max(65535).default(0),
    /**
     * White-box: score the response under teacher forcing with `doScore` (top `topLogprobs`, 10 when
     * unset) instead of taking generation log-probabilities. Needs a teacher with `score`.
     */
    score: z.boolean().default(false),
    /** Keep a row's existing `output` instead of generating (with `score`: score the existing answer). */
    useExistingOutput: z.boolean().default(false),
    /** Reject rows whose generation stopped at `maxTokens`. */
    rejectTruncated: z.boolean().default(false),
    temperature: temperatureOption(0.7),
    maxTokens: maxTokensOption(2048),
    stop: z.array(z.string()).optional(),
});
export type RespondAgentOptions = z.output<typeof respondAgentOptionsSchema>;

/** Positions' alternatives stored: `topLogprobs`, or 10 when only `score` is set. */
export function storedTopK(options: RespondAgentOptions): number {
  return options.topLogprobs > 0 ? options.topLogprobs : options.score ? 10 : 0;
}

/**
 * `synth/respond`: the teacher's response to each row (same id, `output` set), with its top-k
 * log-probabilities returned as TopKLogitsV1 for the stage's logits store when asked.
 */
export class RespondAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/respond';

  constructor(
    private readonly options: RespondAgentOptions,
    private readonly teacher: TeacherV1,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const messages = questionMessages(row, this.options.system);
    if (!messages) return { outputs: [], rejected: [{ row, reason: 'row has no instruction or user message to answer' }] };
    const k = storedTopK(this.options);
    const existing = this.options.useExistingOutput ? responseOf(row) : undefined;
    let text: string;
    let finishReason: string = 'stop';
    let logits: TopKLogitsV1 | undefined;
    if (existing !== undefined) {
      text = existing;
    } else {
      const choice = await generateOne(this.teacher, {
        messages,
        temperature: this.options.temperature,
        maxTokens: this.options.maxTokens,
        stop: this.options.stop,
        topLogprobs: !this.options.score && k > 0 ? k : undefined,
      });
      text = choice.text;
      finishReason = choice.finishReason;
      if (this.options.rejectTruncated && finishReason === 'length') {
        return { outputs: [], rejected: [{ row, reason: `response stopped at maxTokens (${this.options.maxTokens})`, raw: text }] };
      }
      if (!this.options.score && k > 0) {
        if (!choice.logprobs) throw new DistillError({ code: 'MISSING_CAPABILITY', message: `${this.teacher.componentId} (${this.teacher.modelId}) returned no log-probabilities although with.topLogprobs is ${k}.` });
        logits = toTopKLogits(choice.logprobs, k, `${this.teacher.componentId} (${this.teacher.modelId})`);
      }
    }
    if (this.options.score) {
      if (!this.teacher.doScore) throw new DistillError({ code: 'MISSING_CAPABILITY', message: `with.score is true but ${this.teacher.componentId} (${this.teacher.modelId}) cannot score responses (no white-box access).` });
      const scored = await this.teacher.doScore({ messages, response: text, topK: k });
      logits = toTopKLogits(scored.tokens, k, `${this.teacher.componentId} (${this.teacher.modelId})`);
    }
    const { messages: _messages, ...rest } = row;
    // Chat rows stay chat rows (their question turns plus the reply); Alpaca rows get `output`.
    const asked = row.messages?.at(-1)?.role === 'assistant' ? row.messages.slice(0, -1) : row.messages;
    const base: RowV1 = asked && !row.instruction ? { ...rest, messages: [...asked, { role: 'assistant', content: text }] } : { ...rest, output: text };
    const output = withMeta(base, { respond: { model: this.teacher.modelId, finishReason, ...(logits ? { logitsTokens: logits.tokenIds.length, k } : {}) } });
    return { outputs: [logits ? { row: output, logits } : { row: output }] };
  }
}

export const respondAgentDefinition = defineAgent({
  id: 'respond',
  description: 'Teacher responses, optionally with top-k log-probabilities for the logits store',
  optionsSchema: respondAgentOptionsSchema,
  teacherNeeds: (options) => {
    const need: TeacherNeedV1 = { reference: options.teacher, path: 'with.teacher' };
    if (options.score) need.score = true;
    else if (options.topLogprobs > 0) {
      need.logprobs = true;
      need.topLogprobs = options.topLogprobs;
    }
    return [need];
  },
  writesLogits: (options) => storedTopK(options) > 0,
  async create({ options, context }) {
    return new RespondAgent(options, await context.getTeacher(options.teacher));
  },
});
