import { judgePromptByName, NEED_REF_CATEGORIES, type MtBenchAnswer, type MtBenchJudgePrompt, type MtBenchQuestion } from '../data/mt-bench-data';
import { MtBenchError } from '../errors';
import { pythonFormat } from './python-format';

/** The messages of one single-answer judge call, with the prompt name recorded in judgments. */
export interface RenderedJudgePrompt {
  /** `single-v1`, `single-math-v1`, `single-v1-multi-turn` or `single-math-v1-multi-turn`. */
  promptName: string;
  systemPrompt: string;
  userPrompt: string;
  /** `[{system}, {user}]`, as FastChat's `chatgpt` conversation template sends them. */
  messages: Array<{ role: 'system' | 'user'; content: string }>;
}

/** Which judge prompt FastChat uses for a question's category and turn. */
export function judgePromptName(category: string, turn: 1 | 2): string {
  const base = NEED_REF_CATEGORIES.includes(category) ? 'single-math-v1' : 'single-v1';
  return turn === 2 ? `${base}-multi-turn` : base;
}

/**
 * Renders the single-answer grading prompt of one turn as FastChat's `run_judge_single` does: the
 * template filled with Python `str.format`; turn 1 shows the question and the answer, turn 2 the
 * whole two-turn conversation; math, reasoning and coding add the reference answer(s) (GPT-4's,
 * whatever the judge model). Only `choices[0]` of each answer is used.
 */
export function renderJudgePrompt(
  question: MtBenchQuestion,
  answer: Pick<MtBenchAnswer, 'choices'>,
  turn: 1 | 2,
  referenceAnswer?: Pick<MtBenchAnswer, 'choices'>,
  prompts?: readonly MtBenchJudgePrompt[],
): RenderedJudgePrompt {
  const promptName = judgePromptName(question.category, turn);
  const prompt = judgePromptByName(promptName, prompts);
  const answerTurns = answer.choices[0]?.turns ?? [];
  if (answerTurns.length < turn) {
    throw new MtBenchError('MTBENCH_BAD_ANSWER', `The answer to question ${question.question_id} has ${answerTurns.length} turn(s); turn ${turn} is needed.`);
  }
  const values: Record<string, string> = {};
  if (NEED_REF_CATEGORIES.includes(question.category)) {
    const referenceTurns = referenceAnswer?.choices[0]?.turns;
    if (!referenceTurns || referenceTurns.length < turn) {
      throw new MtBenchError(
        'MTBENCH_MISSING_REFERENCE',
        `Question ${question.question_id} (${question.category}) is judged against a reference answer, but none was given for turn ${turn}; use the shipped GPT-4 reference answers.`,
      );
    }
    values.ref_answer_1 = referenceTurns[0];
    if (turn === 2) values.ref_answer_2 = referenceTurns[1];
  }
  if (turn === 2) {
    Object.assign(values, {
      question_1: question.turns[0],
      question_2: question.turns[1],
      answer_1: answerTurns[0],
      answer_2: answerTurns[1],
    });
  } else {
    Object.assign(values, { question: question.turns[0], answer: answerTurns[0] });
  }
  const userPrompt = pythonFormat(prompt.prompt_template, values);
  return {
    promptName,
    systemPrompt: prompt.system_prompt,
    userPrompt,
    messages: [
      { role: 'system', content: prompt.system_prompt },
      { role: 'user', content: userPrompt },
    ],
  };
}
