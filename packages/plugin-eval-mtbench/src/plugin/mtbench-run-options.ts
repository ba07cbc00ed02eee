import { z } from 'zod';
import { ANSWER_MAX_TOKENS } from '../data/mt-bench-data';
import { JUDGE_SETTINGS } from '../judging/judge-answer';

const MODEL_NAME = /^[A-Za-z0-9._-]+$/;

/** Options of the `mtbench/run` evaluator, as written in a recipe. */
export const mtbenchRunOptionsSchema = z.strictObject({
  /**
   * Models to evaluate: teacher references (a component name, a model folder or an earlier stage's
   * model), as a list, or as `{ name: reference }` to name the table columns (`teacher`, `student`).
   */
  models: z.union([z.array(z.string().min(1)).min(1), z.record(z.string().regex(MODEL_NAME), z.string().min(1))]),
  /** Teacher reference of the judge (FastChat: `gpt-4`; another judge gives scores not comparable with the leaderboard). */
  judge: z.string().min(1),
  /** Judge name recorded in the judgments and in the judgment file name; default: the judge's model id. */
  judgeName: z.string().min(1).optional(),
  /** New tokens per answer turn. Default 1,024 (FastChat `max_new_token`). */
  maxTokens: z.number().int().positive().default(ANSWER_MAX_TOKENS),
  /** New tokens per judgment. Default 2,048 (FastChat). */
  judgeMaxTokens: z.number().int().positive().default(JUDGE_SETTINGS.maxTokens),
  /** Questions answered (or judged) in parallel per model. Default 4. */
  concurrency: z.number().int().positive().default(4),
  /** Evaluate only the first N of the 80 questions (smoke runs); the score is then not comparable. */
  limit: z.number().int().positive().optional(),
});

/** Parsed `mtbench/run` options. */
export type MtBenchRunOptions = z.output<typeof mtbenchRunOptionsSchema>;

/** The models of the options as `[name, reference]` pairs (names are folder-safe). */
export function modelReferences(options: Pick<MtBenchRunOptions, 'models'>): Array<[name: string, reference: string]> {
  const { models } = options;
  if (!Array.isArray(models)) return Object.entries(models);
  return models.map((reference) => [reference.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model', reference]);
}
