import { z } from 'zod';
import { defineSelector, type RowV1, type SelectorV1, type SelectorV1Decision, type TeacherV1 } from '@easydistill/core';
import { concurrencyOption, maxTokensOption, promptPath, teacherReference } from '../shared/common-options';
import { BOOLEAN_METRICS, meanScore, readMetric } from '../shared/judge-scores';
import { mapOrdered } from '../shared/map-ordered';
import { clip } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, responseOf, withMeta } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';

const metric = z.enum(['informativeness', 'helpfulness', 'generalization', 'correctness']);

export const judgeScoreSelectorOptionsSchema = z
  .strictObject({
    teacher: teacherReference,
    metrics: z.array(metric).min(1).default(['informativeness', 'helpfulness', 'generalization', 'correctness']),
    /** Pass 1 gates per metric: a 0–9 minimum, or `true` for correctness. */
    minScores: z.partialRecord(metric, z.union([z.number().min(0).max(9), z.boolean()])).default({}),
    /** A row missing a gated metric fails (true), or the gate is skipped (false). */
    requireAll: z.boolean().default(true),
    /** Pass 2: keep the k rows with the best mean score (booleans count 0 or 9). */
    keepTopK: z.number().int().min(1).optional(),
    /** Pass 2: keep this share of the rows that passed pass 1, best first. */
    keepTopRatio: z.number().gt(0).max(1).optional(),
    concurrency: concurrencyOption,
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: maxTokensOption(512),
    prompt: promptPath,
  })
  .refine((options) => options.keepTopK === undefined || options.keepTopRatio === undefined, { message: 'set keepTopK or keepTopRatio, not both', path: ['keepTopK'] });
export type JudgeScoreSelectorOptions = z.output<typeof judgeScoreSelectorOptionsSchema>;

interface Scored {
  row: RowV1;
  failure?: string;
  mean: number;
}

/**
 * `synth/judge-score`: an LLM judge scores each row's informativeness, helpfulness and
 * generalisation (0–9) and correctness (true/false), written to `meta.scores`. Rows are gated by
 * `minScores`, then optionally ranked by mean score and cut to `keepTopK` / `keepTopRatio`
 * (ranked output order). Without a cut it streams in input order.
 */
export class JudgeScoreSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/judge-score';

  constructor(
    private readonly options: JudgeScoreSelectorOptions,
    private readonly judge: TeacherV1,
    private readonly template: PromptTemplate,
  ) {}

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const scoredRows = mapOrdered(rows, this.options.concurrency, (row) => this.score(row));
    const ranked = this.options.keepTopK !== undefined || this.options.keepTopRatio !== undefined;
    if (!ranked) {
      for await (const scored of scoredRows) yield scored.failure ? { row: scored.row, keep: false, reason: scored.failure } : { row: scored.row, keep: true };
      return;
    }
    const passed: Scored[] = [];
    for await (const scored of scoredRows) {
      if (scored.failure) yield { row: scored.row, keep: false, reason: scored.failure };
      else passed.push(scored);
    }
    const keep = this.options.keepTopK ?? Math.max(1, Math.round(passed.length * this.options.keepTopRatio!));
    // Stable sort: equal means keep input order, so the cut is the same on every run.
    const order = passed.map((scored, index) => ({ scored, index })).sort((left, right) => right.scored.mean - left.scored.mean || left.index - right.index);
    for (const [rank, { scored }] of order.entries()) {
      if (rank < keep) yield { row: scored.row, keep: true };
      else yield { row: scored.row, keep: false, reason: `mean score ${scored.mean.toFixed(2)} ranks ${rank + 1}; only the top ${keep} are kept` };
    }
  }

  private async score(row: RowV1): Promise<Scored> {
    const instruction = promptOf(row) ?? '';
    const response = responseOf(row) ?? '';
    const content = this.template.render({ instruction, response, metrics: this.options.metrics.join(', ') });
    const reply = await generateOne(this.judge, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const scores: Record<string, number | boolean> = {};
    const missing: string[] = [];
    for (const name of this.options.metrics) {
      const value = readMetric(reply.text, name);
      if (value === undefined) missing.push(name);
      else scores[name] = value;
    }
    const mean = meanScore(scores);
    const annotated = withMeta(row, { scores, scoreMean: mean, ...(missing.length > 0 ? { judgeRaw: clip(reply.text, 500) } : {}) });
    const failures: string[] = [];
    if (missing.length === this.options.metrics.length) failures.push(`judge reply has none of ${missing.map((name) => `<${name}>`).join(', ')}: ${clip(reply.text, 120)}`);
    for (const [name, minimum] of Object.entries(this.options.minScores)) {
      const value = scores[name];
      if (value === undefined) {
        if (this.options.requireAll) failures.push(`${name} missing from the judge reply`);
      } else if (BOOLEAN_METRICS.has(name) || typeof minimum === 'boolean') {
        const wanted = minimum === true || (typeof minimum === 'number' && minimum > 0);
        if (wanted && value !== true) failures.push(`${name} is ${String(value)}`);
      } else if ((value as number) < (minimum as number)) failures.push(`${name} ${String(value)} < ${String(minimum)}`);
    }
    return { row: annotated, mean, failure: failures.length > 0 ? failures.join('; ') : undefined };
  }
}

export const judgeScoreSelectorDefinition = defineSelector({
  id: 'judge-score',
  description: 'LLM-judge informativeness / helpfulness / generalisation (0–9) and correctness, with gates and top-k / top-ratio',
  optionsSchema: judgeScoreSelectorOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'judge-score.md', override: options.prompt, context, allowed: ['instruction', 'response', 'metrics'] });
    return new JudgeScoreSelector(options, await context.getTeacher(options.teacher), template);
  },
});
