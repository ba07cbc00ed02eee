import { z } from 'zod';
import { defineVerifier, type RowV1, type VerifierV1, type VerifierV1Verdict } from '@easydistill/core';
import { answersEquivalent, extractFinalAnswer } from '../shared/math-answer';
import { readPath, responseOf } from '../shared/row-text';

export const mathAnswerVerifierOptionsSchema = z.strictObject({
  /** Where the reference answer is (dotted path); the first present of these by default. */
  reference: z.array(z.string().min(1)).min(1).default(['answer', 'meta.answer', 'reference', 'meta.reference']),
  /** Field holding the response (dotted path); default `output` or the last assistant message. */
  field: z.string().min(1).optional(),
  /** Relative tolerance for numeric answers. */
  tolerance: z.number().min(0).max(0.1).default(1e-6),
});
export type MathAnswerVerifierOptions = z.output<typeof mathAnswerVerifierOptionsSchema>;

/**
 * `synth/math-answer`: the response's final answer (`\boxed{}`, `####`, "the answer is", last
 * number) must equal the reference: numbers, decimals, fractions and percentages numerically,
 * anything else as normalised text. A reference that is itself a worked solution is reduced to its
 * final answer the same way.
 */
export class MathAnswerVerifier implements VerifierV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/math-answer';
  readonly concurrency = 64;

  constructor(private readonly options: MathAnswerVerifierOptions) {}

  async doVerify(row: RowV1): Promise<VerifierV1Verdict> {
    const referenceValue = this.options.reference.map((path) => readPath(row, path)).find((value) => typeof value === 'string' || typeof value === 'number');
    if (referenceValue === undefined) return { pass: false, reason: `no reference answer at ${this.options.reference.join(' / ')}` };
    const referenceText = String(referenceValue);
    const expected = referenceText.length > 40 || /\\boxed|####/.test(referenceText) ? (extractFinalAnswer(referenceText) ?? referenceText) : referenceText;
    const response = this.options.field ? readPath(row, this.options.field) : responseOf(row);
    if (typeof response !== 'string') return { pass: false, reason: `no response text at ${this.options.field ?? 'output'}` };
    const answer = extractFinalAnswer(response);
    const annotations = { answer, expected };
    if (answer === undefined) return { pass: false, reason: 'no final answer found in the response (no \\boxed{}, ####, "the answer is" or number)', annotations };
    return answersEquivalent(answer, expected, this.options.tolerance)
      ? { pass: true, reason: `final answer ${answer} equals ${expected}`, annotations }
      : { pass: false, reason: `final answer ${answer} differs from the reference ${expected}`, annotations };
  }
}

export const mathAnswerVerifierDefinition = defineVerifier({
  id: 'math-answer',
  description: 'Maths final-answer equivalence (boxed answers, numbers, fractions) against a reference',
  optionsSchema: mathAnswerVerifierOptionsSchema,
  create: ({ options }) => new MathAnswerVerifier(options),
});
