import { z } from 'zod';
import { defineVerifier, type RowV1, type TeacherV1, type VerifierV1, type VerifierV1Verdict } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference } from '../shared/common-options';
import { readMetric } from '../shared/judge-scores';
import { clip, extractTag } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, responseOf } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';

export const judgeVerifierOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** Lowest factuality (0–9) that passes. */
  minFactuality: z.number().min(0).max(9).default(6),
  /** Lowest consistency (0–9) that passes. */
  minConsistency: z.number().min(0).max(9).default(6),
  /** Also require the judge's own verdict to be `pass`. */
  requireVerdict: z.boolean().default(true),
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: maxTokensOption(512),
  prompt: promptPath,
});
export type JudgeVerifierOptions = z.output<typeof judgeVerifierOptionsSchema>;

/**
 * `synth/judge`: an LLM judge rates a response's factuality and consistency (0–9) with a verdict
 * and a reason. Annotations hold the scores; an unparseable reply fails the row with the raw text.
 */
export class JudgeVerifier implements VerifierV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/judge';

  constructor(
    private readonly options: JudgeVerifierOptions,
    private readonly judge: TeacherV1,
    private readonly template: PromptTemplate,
  ) {}

  async doVerify(row: RowV1): Promise<VerifierV1Verdict> {
    const response = responseOf(row);
    if (response === undefined) return { pass: false, reason: 'row has no response to verify' };
    const content = this.template.render({ instruction: promptOf(row) ?? '', response });
    const reply = await generateOne(this.judge, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const factuality = readMetric(reply.text, 'factuality');
    const consistency = readMetric(reply.text, 'consistency');
    const verdict = extractTag(reply.text, 'verdict')?.toLowerCase();
    const judgeReason = extractTag(reply.text, 'reason');
    if (typeof factuality !== 'number' || typeof consistency !== 'number') {
      return { pass: false, reason: `judge reply lacks <factuality>/<consistency> 0-9: ${clip(reply.text, 160)}`, annotations: { raw: clip(reply.text, 1000) } };
    }
    const annotations = { factuality, consistency, verdict, reason: judgeReason };
    const problems: string[] = [];
    if (factuality < this.options.minFactuality) problems.push(`factuality ${factuality} < ${this.options.minFactuality}`);
    if (consistency < this.options.minConsistency) problems.push(`consistency ${consistency} < ${this.options.minConsistency}`);
    if (this.options.requireVerdict && verdict !== undefined && !verdict.startsWith('pass')) problems.push(`judge verdict ${verdict}`);
    if (problems.length > 0) return { pass: false, reason: `${problems.join('; ')}${judgeReason && judgeReason.toLowerCase() !== 'none' ? ` (${judgeReason})` : ''}`, annotations };
    return { pass: true, reason: `factuality ${factuality}, consistency ${consistency}`, annotations };
  }
}

export const judgeVerifierDefinition = defineVerifier({
  id: 'judge',
  description: 'LLM-judge factuality and consistency (0–9) with a verdict and reason',
  optionsSchema: judgeVerifierOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'verify-judge.md', override: options.prompt, context, allowed: ['instruction', 'response'] });
    return new JudgeVerifier(options, await context.getTeacher(options.teacher), template);
  },
});
