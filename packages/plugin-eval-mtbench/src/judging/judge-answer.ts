import { MT_BENCH_REFERENCE_ANSWERS, type MtBenchAnswer, type MtBenchQuestion } from '../data/mt-bench-data';
import { renderJudgePrompt, type RenderedJudgePrompt } from '../prompts/render-judge-prompt';
import { parseRating } from './parse-rating';

/** One judgment in FastChat's `model_judgment/<judge>_single.jsonl` shape. */
export interface SingleJudgment {
  question_id: number;
  model: string;
  /** `[judge model, prompt name]`. */
  judge: [string, string];
  user_prompt: string;
  judgment: string;
  /** The parsed rating; −1 when none could be parsed. */
  score: number;
  turn: 1 | 2;
  tstamp: number;
}

/**
 * A judge: sends the two messages (FastChat: temperature 0, max_tokens 2048) and returns the
 * judgment text. On an API failure FastChat records `$ERROR$`, which parses to −1.
 */
export type MtBenchJudge = (prompt: RenderedJudgePrompt) => Promise<string>;

/** Judge settings of FastChat's single-answer grading. */
export const JUDGE_SETTINGS = { temperature: 0, maxTokens: 2048, errorOutput: '$ERROR$' } as const;

/**
 * Judges both turns of one model answer by single-answer grading, returning two judgments in the
 * FastChat record shape. References default to the shipped GPT-4 answers (FastChat reads
 * `reference_answer/gpt-4.jsonl`). A judge that throws is recorded as `$ERROR$` with score −1.
 */
export async function judgeAnswer(
  question: MtBenchQuestion,
  answer: MtBenchAnswer,
  judge: MtBenchJudge,
  options: { judgeModel: string; references?: readonly MtBenchAnswer[]; now?: () => number },
): Promise<SingleJudgment[]> {
  const references = options.references ?? MT_BENCH_REFERENCE_ANSWERS;
  const reference = references.find((entry) => entry.question_id === question.question_id);
  const judgments: SingleJudgment[] = [];
  for (const turn of [1, 2] as const) {
    const prompt = renderJudgePrompt(question, answer, turn, reference);
    let judgment: string;
    try {
      judgment = await judge(prompt);
    } catch {
      judgment = JUDGE_SETTINGS.errorOutput;
    }
    judgments.push({
      question_id: question.question_id,
      model: answer.model_id,
      judge: [options.judgeModel, prompt.promptName],
      user_prompt: prompt.userPrompt,
      judgment,
      score: parseRating(judgment),
      turn,
      tstamp: (options.now ?? Date.now)() / 1000,
    });
  }
  return judgments;
}
