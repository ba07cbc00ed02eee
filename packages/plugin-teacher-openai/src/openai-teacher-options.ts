import { z } from 'zod';

/** Price table in US dollars per 1 million tokens; used to show the cost of a stage. */
export const priceSchema = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});

/**
 * Options of `teacher-openai/chat`. Secrets are never options: `apiKeyEnv` and `baseURLEnv` name
 * environment variables. Request fields (temperature, n, …) are defaults a stage may override.
 */
export const openaiTeacherOptionsSchema = z
  .strictObject({
    /** Model name sent to the endpoint (and used in cache keys and provenance). */
    model: z.string().min(1),
    /** Endpoint base URL, e.g. `http://127.0.0.1:8000/v1`. Default: the SDK's (api.openai.com). */
    baseURL: z.url().optional(),
    /** Name of an environment variable holding the base URL (takes effect when `baseURL` is absent). */
    baseURLEnv: z.string().min(1).optional(),
    /** Name of the environment variable holding the API key. Default `OPENAI_API_KEY` (optional for local endpoints). */
    apiKeyEnv: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    maxTokens: z.number().int().positive().optional(),
    n: z.number().int().positive().max(128).optional(),
    stop: z.array(z.string().min(1)).max(4).optional(),
    seed: z.number().int().optional(),
    /** Default number of alternatives per generated token (0 to 20) when a stage asks for log-probabilities. */
    topLogprobs: z.number().int().min(0).max(20).optional(),
    /** Requests in flight at once. */
    concurrency: z.number().int().positive().max(4096).default(8),
    /** Requests per minute budget. */
    rpm: z.number().positive().optional(),
    /** Tokens per minute budget (prompt estimate + max completion tokens, corrected with real usage). */
    tpm: z.number().positive().optional(),
    /** Attempts per call (first try included) before the row is rejected with the last reason. */
    maxAttempts: z.number().int().min(1).max(50).default(6),
    /** Per-attempt timeout in milliseconds. */
    timeoutMs: z.number().int().positive().default(120_000),
    /** First backoff in milliseconds; doubles every attempt (with jitter) up to `maxBackoffMs`. */
    initialBackoffMs: z.number().int().nonnegative().default(500),
    maxBackoffMs: z.number().int().nonnegative().default(30_000),
    /** Longest Retry-After the teacher will honour, in milliseconds. */
    maxRetryAfterMs: z.number().int().nonnegative().default(120_000),
    /** White-box scoring: `auto` probes the endpoint once; `off` never declares `score`. */
    score: z.enum(['auto', 'off']).default('auto'),
    /** Price table for the cost shown per stage. */
    prices: priceSchema.optional(),
  })
  .refine((options) => !(options.baseURL && options.baseURLEnv), {
    message: 'give either baseURL or baseURLEnv, not both',
    path: ['baseURLEnv'],
  });

export type OpenAITeacherOptions = z.input<typeof openaiTeacherOptionsSchema>;
export type ResolvedOpenAITeacherOptions = z.output<typeof openaiTeacherOptionsSchema>;
