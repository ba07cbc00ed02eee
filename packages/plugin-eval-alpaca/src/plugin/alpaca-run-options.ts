import { z } from 'zod';

/** Options of the `alpaca/run` evaluator. */
export const alpacaRunOptionsSchema = z.strictObject({
  /** Teacher references of the models to evaluate (e.g. `student`, `teacher`); each one is a column of the table. */
  models: z.array(z.string().min(1)).min(1),
  /**
   * Teacher reference of the judge. It must return log-probabilities (top 5). The official judge is
   * `gpt-4-1106-preview`; another judge gives numbers not comparable with the leaderboard.
   */
  judge: z.string().min(1),
  /** Where the AlpacaEval dataset comes from (default: the Hugging Face Hub, pinned revision, HF cache). */
  data: z
    .strictObject({
      /** Local folder with alpaca_eval_gpt4_baseline.json, df_gamed.csv, instruction_difficulty.csv (relative to the recipe). */
      localPath: z.string().optional(),
      hubUrl: z.string().url().optional(),
      cacheDir: z.string().optional(),
      revision: z.string().optional(),
      /** Environment variable holding a Hub token (the dataset is public). */
      accessTokenEnv: z.string().optional(),
    })
    .default({}),
  /** Evaluate the first N instructions only (smoke runs); the leaderboard uses all 805. */
  limit: z.number().int().positive().optional(),
  /** Decoding of the evaluated models (AlpacaEval does not fix it). */
  generation: z
    .strictObject({
      maxTokens: z.number().int().positive().default(2048),
      temperature: z.number().min(0).default(0),
    })
    .default({ maxTokens: 2048, temperature: 0 }),
  /** Regularisation of the length-controlled GLM: a number, or `cv` (the official cross-validation). */
  c: z.union([z.number().positive(), z.literal('cv')]).default('cv'),
  /** Parallel calls per model and per judge. */
  concurrency: z.number().int().positive().default(8),
});

/** Parsed `alpaca/run` options. */
export type AlpacaRunOptions = z.output<typeof alpacaRunOptionsSchema>;
