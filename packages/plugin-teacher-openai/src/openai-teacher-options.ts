import { z } from 'zod';

/** Price table in US dollars per 1 million tokens; used to show the cost of a stage. */
export const priceSchema = z
  .strictObject({
    inputPerMillion: z.number().nonnegative().describe('US dollars per 1 million prompt tokens'),
    outputPerMillion: z.number().nonnegative().describe('US dollars per 1 million completion tokens'),
  })
  .describe('Price table: with it each call\'s cost is counted and shown with the usage of its stage');

/**
 * Options of `teacher-openai/chat`. Secrets are never options: `apiKeyEnv` and `baseURLEnv` name
 * environment variables. Request fields (temperature, n, …) are defaults a stage may override.
 */
export const openaiTeacherOptionsSchema = z
  .strictObject({
    model: z.string().min(1).describe('Model name sent to the endpoint (also used in cache keys and provenance)'),
    baseURL: z.url().optional().describe('Endpoint base URL, e.g. http://127.0.0.1:8000/v1 (default: api.openai.com)'),
    baseURLEnv: z.string().min(1).optional().describe('Name of an environment variable holding the base URL (instead of baseURL)'),
    apiKeyEnv: z.string().min(1).optional().describe('Name of the environment variable holding the API key (default OPENAI_API_KEY; local endpoints need none)'),
    temperature: z.number().min(0).max(2).optional().describe('Sampling temperature (0 to 2); a stage may override it'),
    topP: z.number().gt(0).max(1).optional().describe('Nucleus sampling mass top_p (0 to 1]'),
    maxTokens: z.number().int().positive().optional().describe('Most tokens generated per completion (max_tokens)'),
    n: z.number().int().positive().max(128).optional().describe('Completions per prompt'),
    stop: z.array(z.string().min(1)).max(4).optional().describe('Up to 4 stop strings'),
    seed: z.number().int().optional().describe('Sampling seed sent to the endpoint (reproducible where it supports it)'),
    topLogprobs: z.number().int().min(0).max(65535).optional().describe('Default alternatives per generated token (0 to maxTopLogprobs) when a stage asks for log-probabilities'),
    maxTopLogprobs: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(20)
      .describe(
        'Most top_logprobs the endpoint returns: 20 for OpenAI (the default); more for a server started with a higher limit (vLLM --max-logprobs, easydistill serve --max-top-logprobs), e.g. for top-50 or full-vocabulary distillation',
      ),
    concurrency: z.number().int().positive().max(4096).default(8).describe('Requests in flight at once'),
    rpm: z.number().positive().optional().describe('Requests-per-minute budget'),
    tpm: z.number().positive().optional().describe('Tokens-per-minute budget (prompt estimate + max completion tokens, corrected with the real usage)'),
    maxAttempts: z.number().int().min(1).max(50).default(6).describe('Attempts per call, the first included, before its row is rejected with the last reason'),
    timeoutMs: z.number().int().positive().default(120_000).describe('Per-attempt timeout in milliseconds'),
    initialBackoffMs: z.number().int().nonnegative().default(500).describe('First retry wait in milliseconds; doubles each attempt, with jitter'),
    maxBackoffMs: z.number().int().nonnegative().default(30_000).describe('Longest retry wait in milliseconds (Retry-After aside)'),
    maxRetryAfterMs: z.number().int().nonnegative().default(120_000).describe('Longest Retry-After (429/503) honoured, in milliseconds'),
    score: z.enum(['auto', 'off']).default('auto').describe('White-box scoring: auto probes the endpoint once (completions echo + logprobs); off never declares score'),
    prices: priceSchema.optional(),
  })
  .refine((options) => !(options.baseURL && options.baseURLEnv), {
    message: 'give either baseURL or baseURLEnv, not both',
    path: ['baseURLEnv'],
  })
  .refine((options) => options.topLogprobs === undefined || options.topLogprobs <= options.maxTopLogprobs, {
    message: 'topLogprobs is above maxTopLogprobs (the most the endpoint returns; 20 unless set)',
    path: ['topLogprobs'],
  });

export type OpenAITeacherOptions = z.input<typeof openaiTeacherOptionsSchema>;
export type ResolvedOpenAITeacherOptions = z.output<typeof openaiTeacherOptionsSchema>;
