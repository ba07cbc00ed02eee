import { z } from 'zod';
import { defineAgent, type AgentV1, type AgentV1Result, type RowV1, type TeacherV1 } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference, temperatureOption } from '../shared/common-options';
import { extractTag, firstInteger } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, questionMessages, responseOf, withMeta } from '../shared/row-text';
import { generateMany, generateOne } from '../shared/teacher-call';

export const dpoPairsAgentOptionsSchema = z
  .strictObject({
    /** The teacher: its answer is `chosen` (teacher-student), or it writes the candidates (best-of-n). */
    teacher: teacherReference,
    /** The student (a served model or an earlier stage's model): its answer is `rejected`. */
    student: teacherReference.optional(),
    /** A judge scoring answers 0–9: required for best-of-n; with teacher-student it drops pairs the student wins. */
    judge: teacherReference.optional(),
    /** `teacher-student`: chosen = teacher, rejected = student. `best-of-n`: chosen = best-scored candidate, rejected = worst. */
    mode: z.enum(['teacher-student', 'best-of-n']).default('teacher-student'),
    /** Best-of-n: candidates sampled from the teacher (the student's answer is added when `student` is set). */
    n: z.number().int().min(2).max(16).default(4),
    /** Keep a pair only when score(chosen) − score(rejected) is greater than this. */
    minMargin: z.number().min(0).max(9).default(0),
    /** Teacher-student: use the row's existing `output` as the teacher's answer instead of generating. */
    useExistingOutput: z.boolean().default(true),
    system: z.string().optional(),
    temperature: temperatureOption(0.7),
    maxTokens: maxTokensOption(2048),
    prompt: promptPath,
  })
  .refine((options) => options.mode !== 'best-of-n' || options.judge !== undefined, { message: 'best-of-n needs a judge (with.judge)', path: ['judge'] })
  .refine((options) => options.mode !== 'teacher-student' || options.student !== undefined, { message: 'teacher-student needs a student (with.student)', path: ['student'] });
export type DpoPairsAgentOptions = z.output<typeof dpoPairsAgentOptionsSchema>;

interface Candidate {
  text: string;
  from: string;
  score?: number;
}

/**
 * `synth/dpo-pairs`: preference pairs. One row in, one row out with the same id and `chosen` /
 * `rejected` set (`output` removed); `meta.dpo` records where each side came from and its score.
 * A pair whose margin is not above `minMargin` is rejected with the reason.
 */
export class DpoPairsAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/dpo-pairs';

  constructor(
    private readonly options: DpoPairsAgentOptions,
    private readonly teacher: TeacherV1,
    private readonly student: TeacherV1 | undefined,
    private readonly judge: TeacherV1 | undefined,
    private readonly template: PromptTemplate,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const messages = questionMessages(row, this.options.system);
    const instruction = promptOf(row);
    if (!messages || !instruction) return { outputs: [], rejected: [{ row, reason: 'row has no instruction or user message' }] };
    const request = { messages, temperature: this.options.temperature, maxTokens: this.options.maxTokens };
    const candidates: Candidate[] = [];
    if (this.options.mode === 'teacher-student') {
      const existing = this.options.useExistingOutput ? responseOf(row) : undefined;
      candidates.push({ text: existing ?? (await generateOne(this.teacher, request)).text, from: existing !== undefined ? 'row' : this.teacher.modelId });
      candidates.push({ text: (await generateOne(this.student!, request)).text, from: this.student!.modelId });
    } else {
      const choices = await generateMany(this.teacher, { ...request, n: this.options.n });
      candidates.push(...choices.map((choice) => ({ text: choice.text, from: this.teacher.modelId })));
      if (this.student) candidates.push({ text: (await generateOne(this.student, request)).text, from: this.student.modelId });
    }
    if (this.judge) {
      for (const candidate of candidates) {
        const reply = await generateOne(this.judge, { messages: [{ role: 'user', content: this.template.render({ instruction, response: candidate.text }) }], temperature: 0, maxTokens: 64 });
        const score = firstInteger(extractTag(reply.text, 'score') ?? reply.text);
        if (score === undefined || score < 0 || score > 9) return { outputs: [], rejected: [{ row, reason: 'judge reply has no <score>0-9</score>', raw: reply.text }] };
        candidate.score = score;
      }
    }
    let chosen = candidates[0]!;
    let rejected = candidates[candidates.length - 1]!;
    if (this.options.mode === 'best-of-n') {
      // Stable: the earliest best and the latest worst, so ties resolve the same way on every run.
      for (const candidate of candidates) {
        if (candidate.score! > chosen.score!) chosen = candidate;
        if (candidate.score! <= rejected.score!) rejected = candidate;
      }
    }
    if (chosen.text.trim() === rejected.text.trim()) return { outputs: [], rejected: [{ row, reason: 'chosen and rejected answers are identical' }] };
    if (chosen.score !== undefined && rejected.score !== undefined && !(chosen.score - rejected.score > this.options.minMargin)) {
      return { outputs: [], rejected: [{ row, reason: `score margin ${chosen.score - rejected.score} is not above minMargin ${this.options.minMargin} (chosen ${chosen.score}, rejected ${rejected.score})` }] };
    }
    const { output: _output, messages: _messages, ...rest } = row;
    const pair: RowV1 = { ...rest, instruction: rest.instruction ?? instruction, chosen: chosen.text, rejected: rejected.text };
    return {
      outputs: [{ row: withMeta(pair, { dpo: { mode: this.options.mode, chosenFrom: chosen.from, rejectedFrom: rejected.from, chosenScore: chosen.score, rejectedScore: rejected.score } }) }],
    };
  }
}

export const dpoPairsAgentDefinition = defineAgent({
  id: 'dpo-pairs',
  description: 'Preference pairs: teacher vs student, or best vs worst of n judged candidates',
  optionsSchema: dpoPairsAgentOptionsSchema,
  teacherNeeds: (options) => [
    { reference: options.teacher, path: 'with.teacher' },
    ...(options.student ? [{ reference: options.student, path: 'with.student' }] : []),
    ...(options.judge ? [{ reference: options.judge, path: 'with.judge' }] : []),
  ],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'dpo-judge.md', override: options.prompt, context, allowed: ['instruction', 'response'] });
    const teacher = await context.getTeacher(options.teacher);
    const student = options.student ? await context.getTeacher(options.student) : undefined;
    const judge = options.judge ? await context.getTeacher(options.judge) : undefined;
    return new DpoPairsAgent(options, teacher, student, judge, template);
  },
});
