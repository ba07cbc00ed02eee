import { z } from 'zod';
import { defineVerifier, type RowV1, type VerifierV1, type VerifierV1Verdict } from '@easydistill/core';
import { isCorrect, parseInstruction } from '../task/parse-instruction';

export const skillsVerifierOptionsSchema = z.strictObject({
  /** Row field holding the instruction (default `instruction`, else the first user message). */
  instructionField: z.string().min(1).default('instruction').describe('Row field holding the instruction (default instruction, else the first user message)'),
  /** Row field holding the response to check (default `output`, else the last assistant message). */
  responseField: z.string().min(1).default('output').describe('Row field holding the response to check (default output, else the last assistant message)'),
});
export type SkillsVerifierOptions = z.output<typeof skillsVerifierOptionsSchema>;

function textOf(row: RowV1, field: string, role: 'user' | 'assistant'): string | undefined {
  const value = row[field];
  if (typeof value === 'string') return value;
  const messages = row.messages?.filter((message) => message.role === role) ?? [];
  const message = role === 'user' ? messages[0] : messages[messages.length - 1];
  return typeof message?.content === 'string' ? message.content : undefined;
}

/**
 * `skills/verify`: recognises the row's instruction as an item of the skills task (any phrasing),
 * computes the correct answer by rule and passes the row only when the response equals it.
 * Annotates `meta['skills/verify']` with the skill, the expected answer and whether the phrasing is held out.
 */
export class SkillsVerifier implements VerifierV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'skills/verify';
  readonly concurrency = 64;

  constructor(private readonly options: SkillsVerifierOptions) {}

  async doVerify(row: RowV1): Promise<VerifierV1Verdict> {
    const instruction = textOf(row, this.options.instructionField, 'user');
    if (instruction === undefined) return { pass: false, reason: `no instruction in field "${this.options.instructionField}" or a user message` };
    const parsed = parseInstruction(instruction);
    if (!parsed) return { pass: false, reason: 'not an instruction of the skills task (no phrasing matches)' };
    const annotations = { skill: parsed.skill.id, expected: parsed.expected, heldOut: parsed.heldOut };
    const response = textOf(row, this.options.responseField, 'assistant');
    if (response === undefined) return { pass: false, reason: `no response in field "${this.options.responseField}" or an assistant message`, annotations };
    return isCorrect(response, parsed.expected)
      ? { pass: true, reason: `${parsed.skill.id}: answer ${JSON.stringify(parsed.expected)} is correct`, annotations }
      : { pass: false, reason: `${parsed.skill.id}: expected ${JSON.stringify(parsed.expected)}, got ${JSON.stringify(response.trim().slice(0, 80))}`, annotations };
  }
}

export const skillsVerifierDefinition = defineVerifier({
  id: 'verify',
  description: 'Checks a response to a skills-task instruction against the answer computed by rule',
  optionsSchema: skillsVerifierOptionsSchema,
  create: ({ options }) => new SkillsVerifier(options),
});
