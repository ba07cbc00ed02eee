import judgePromptsJson from './judge-prompts.json';
import questionsJson from './questions.json';
import referenceAnswersJson from './reference-answers-gpt-4.json';

/** The eight MT-Bench categories, ten questions each. */
export type MtBenchCategory = 'writing' | 'roleplay' | 'reasoning' | 'math' | 'coding' | 'extraction' | 'stem' | 'humanities';

/** One MT-Bench question (FastChat `question.jsonl`): two user turns. */
export interface MtBenchQuestion {
  question_id: number;
  category: string;
  turns: string[];
  /** Present on 39 questions; FastChat's judging does not use it. */
  reference?: string[];
}

/** One answer record (FastChat `model_answer/*.jsonl` and `reference_answer/gpt-4.jsonl`); only `choices[0]` is judged. */
export interface MtBenchAnswer {
  question_id: number;
  answer_id?: string;
  model_id: string;
  choices: Array<{ index: number; turns: string[] }>;
  tstamp?: number;
}

/** One judge prompt of FastChat's `judge_prompts.jsonl`. */
export interface MtBenchJudgePrompt {
  name: string;
  type: 'single' | 'pairwise';
  system_prompt: string;
  prompt_template: string;
  description: string;
  category: string;
  output_format: string;
}

/** The 80 questions, shipped with the package (FastChat, Apache-2.0; see SOURCE.md). */
export const MT_BENCH_QUESTIONS: readonly MtBenchQuestion[] = questionsJson as MtBenchQuestion[];

/** The 8 judge prompts, shipped with the package (FastChat, Apache-2.0). */
export const MT_BENCH_JUDGE_PROMPTS: readonly MtBenchJudgePrompt[] = judgePromptsJson as MtBenchJudgePrompt[];

/** The 30 GPT-4 reference answers for math, reasoning and coding (FastChat, Apache-2.0). */
export const MT_BENCH_REFERENCE_ANSWERS: readonly MtBenchAnswer[] = referenceAnswersJson as MtBenchAnswer[];

/** Categories judged against a reference answer (FastChat `NEED_REF_CATS`). */
export const NEED_REF_CATEGORIES: readonly string[] = ['math', 'reasoning', 'coding', 'arena-hard-200'];

/**
 * Answer temperatures by category (FastChat `temperature_config`); other categories use 0.7.
 * A temperature below 1e-4 means greedy decoding.
 */
export const CATEGORY_TEMPERATURE: Readonly<Record<string, number>> = {
  writing: 0.7,
  roleplay: 0.7,
  extraction: 0.0,
  math: 0.0,
  coding: 0.0,
  reasoning: 0.0,
  stem: 0.1,
  humanities: 0.1,
  'arena-hard-200': 0.0,
};

/** The answer temperature of a category: the FastChat table, 0.7 when the category is not in it. */
export function temperatureForCategory(category: string): number {
  return CATEGORY_TEMPERATURE[category] ?? 0.7;
}

/** FastChat's `max_new_token` default for answers. */
export const ANSWER_MAX_TOKENS = 1024;

/** Looks a judge prompt up by name (`single-v1`, `single-math-v1-multi-turn`, …); throws when unknown. */
export function judgePromptByName(name: string, prompts: readonly MtBenchJudgePrompt[] = MT_BENCH_JUDGE_PROMPTS): MtBenchJudgePrompt {
  const prompt = prompts.find((entry) => entry.name === name);
  if (!prompt) {
    throw new Error(`No MT-Bench judge prompt named "${name}"; known: ${prompts.map((entry) => entry.name).join(', ')}.`);
  }
  return prompt;
}
