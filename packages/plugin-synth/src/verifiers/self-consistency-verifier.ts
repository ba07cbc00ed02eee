import { z } from 'zod';
import { defineVerifier, type RowV1, type TeacherV1, type VerifierV1, type VerifierV1Verdict } from '@easydistill/core';
import { maxTokensOption, teacherReference, temperatureOption } from '../shared/common-options';
import { answersEquivalent, extractFinalAnswer, normaliseAnswer } from '../shared/math-answer';
import { questionMessages, responseOf } from '../shared/row-text';
import { generateMany } from '../shared/teacher-call';
import { normaliseText } from '../shared/text-normalise';

export const selfConsistencyVerifierOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** Samples drawn for the row's question. */
  n: z.number().int().min(2).max(64).default(5),
  /** Share of samples that must agree on the majority answer. */
  minAgreement: z.number().gt(0).max(1).default(0.5),
  /** `final-answer`: compare extracted final answers (maths); `text`: compare normalised whole responses. */
  compare: z.enum(['final-answer', 'text']).default('final-answer'),
  /** Also require the row's own response to give the majority answer. */
  matchRow: z.boolean().default(true),
  system: z.string().optional(),
  temperature: temperatureOption(0.7),
  maxTokens: maxTokensOption(2048),
});
export type SelfConsistencyVerifierOptions = z.output<typeof selfConsistencyVerifierOptionsSchema>;

/**
 * `synth/self-consistency`: samples n answers to the row's question and takes the majority; the row
 * passes when the majority holds at least `minAgreement` of the samples and (with `matchRow`) the
 * row's own answer equals it. Annotations hold the votes.
 */
export class SelfConsistencyVerifier implements VerifierV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/self-consistency';

  constructor(
    private readonly options: SelfConsistencyVerifierOptions,
    private readonly teacher: TeacherV1,
  ) {}

  async doVerify(row: RowV1): Promise<VerifierV1Verdict> {
    const messages = questionMessages(row, this.options.system);
    if (!messages) return { pass: false, reason: 'row has no question to sample answers for' };
    const choices = await generateMany(this.teacher, { messages, n: this.options.n, temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const answers = choices.map((choice) => this.answerOf(choice.text)).filter((answer): answer is string => answer !== undefined);
    if (answers.length === 0) return { pass: false, reason: `none of the ${choices.length} samples gave a final answer` };
    // Group equivalent answers (numerically equal counts as the same answer).
    const groups: Array<{ answer: string; votes: number }> = [];
    for (const answer of answers) {
      const group = groups.find((item) => this.same(item.answer, answer));
      if (group) group.votes++;
      else groups.push({ answer, votes: 1 });
    }
    groups.sort((left, right) => right.votes - left.votes);
    const majority = groups[0]!;
    const agreement = majority.votes / choices.length;
    const own = responseOf(row);
    const rowAnswer = own === undefined ? undefined : this.answerOf(own);
    const annotations = { majority: majority.answer, agreement, samples: choices.length, votes: Object.fromEntries(groups.map((group) => [group.answer, group.votes])), rowAnswer };
    if (agreement < this.options.minAgreement) return { pass: false, reason: `agreement ${agreement.toFixed(2)} < ${this.options.minAgreement} (majority "${majority.answer}" ${majority.votes}/${choices.length})`, annotations };
    if (this.options.matchRow) {
      if (rowAnswer === undefined) return { pass: false, reason: 'the row has no answer to compare with the majority', annotations };
      if (!this.same(rowAnswer, majority.answer)) return { pass: false, reason: `row answer "${rowAnswer}" differs from the majority "${majority.answer}" (${majority.votes}/${choices.length})`, annotations };
    }
    return { pass: true, reason: `majority "${majority.answer}" with agreement ${agreement.toFixed(2)}`, annotations };
  }

  private answerOf(text: string): string | undefined {
    return this.options.compare === 'text' ? normaliseText(text) : extractFinalAnswer(text);
  }

  private same(left: string, right: string): boolean {
    return this.options.compare === 'text' ? left === right : answersEquivalent(left, right) || normaliseAnswer(left) === normaliseAnswer(right);
  }
}

export const selfConsistencyVerifierDefinition = defineVerifier({
  id: 'self-consistency',
  description: 'Self-consistency: majority answer over n samples, agreement and row match',
  optionsSchema: selfConsistencyVerifierOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    return new SelfConsistencyVerifier(options, await context.getTeacher(options.teacher));
  },
});
