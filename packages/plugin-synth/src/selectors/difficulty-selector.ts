import { z } from 'zod';
import { defineSelector, type RowV1, type SelectorV1, type SelectorV1Decision, type TeacherV1 } from '@easydistill/core';
import { concurrencyOption, maxTokensOption, promptPath, teacherReference } from '../shared/common-options';
import { readMetric } from '../shared/judge-scores';
import { mapOrdered } from '../shared/map-ordered';
import { clip } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, responseOf, withMeta } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';

const range = z.tuple([z.number().min(0).max(9), z.number().min(0).max(9)]);

export const difficultySelectorOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** Cognitive-difficulty bin edges (bisect-right); three bins by default: [0,3), [3,6), [6,10]. */
  cdBins: z.array(z.number().min(0).max(10)).min(2).default([0, 3, 6, 10]),
  /**
   * Verbosity wanted per bin: `matched` rises with difficulty (2 + bin·8/(bins−1)), `low` 2,
   * `medium` 5, `high` 8, or a number.
   */
  rvTarget: z.union([z.enum(['matched', 'low', 'medium', 'high']), z.number().min(0).max(9)]).default('matched'),
  /** Rows kept per bin, those nearest the verbosity target first (all when unset). */
  samplesPerBin: z.number().int().min(1).optional(),
  /** Drop rows the judge says are logically incorrect. */
  requireCorrect: z.boolean().default(true),
  /** Optional filters applied before mixing (inclusive), e.g. ThoughtX's rv [3, 5] and cd [4, 4]. */
  rvRange: range.optional(),
  cdRange: range.optional(),
  concurrency: concurrencyOption,
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: maxTokensOption(512),
  prompt: promptPath,
});
export type DifficultySelectorOptions = z.output<typeof difficultySelectorOptionsSchema>;

interface Judged {
  row: RowV1;
  verbosity: number;
  difficulty: number;
  failure?: string;
}

const NAMED_TARGETS = { low: 2, medium: 5, high: 8 } as const;

/**
 * `synth/difficulty`: a judge scores reasoning verbosity (RV) and cognitive difficulty (CD), 0–9,
 * and logical correctness (written to `meta.rv`, `meta.cd`, `meta.correct`). Rows are binned by
 * CD; within a bin those nearest the verbosity target come first and `samplesPerBin` are kept.
 * Output order is a curriculum: easiest bin first. Needs the whole set (global).
 */
export class DifficultySelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/difficulty';

  constructor(
    private readonly options: DifficultySelectorOptions,
    private readonly judge: TeacherV1,
    private readonly template: PromptTemplate,
  ) {}

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const bins = this.options.cdBins.length - 1;
    const members: Array<Array<{ judged: Judged; index: number }>> = Array.from({ length: bins }, () => []);
    let index = 0;
    for await (const judged of mapOrdered(rows, this.options.concurrency, (row) => this.judgeRow(row))) {
      if (judged.failure) {
        yield { row: judged.row, keep: false, reason: judged.failure };
        continue;
      }
      members[binOf(judged.difficulty, this.options.cdBins)]!.push({ judged, index: index++ });
    }
    for (const [bin, list] of members.entries()) {
      const target = this.target(bin, bins);
      list.sort((left, right) => Math.abs(left.judged.verbosity - target) - Math.abs(right.judged.verbosity - target) || left.index - right.index);
      for (const [rank, { judged }] of list.entries()) {
        const row = withMeta(judged.row, { cdBin: bin, rvTarget: target });
        if (this.options.samplesPerBin === undefined || rank < this.options.samplesPerBin) yield { row, keep: true };
        else yield { row, keep: false, reason: `difficulty bin ${bin} is full (${this.options.samplesPerBin} rows nearer verbosity ${target} kept)` };
      }
    }
  }

  /** Verbosity target of a bin. */
  target(bin: number, bins: number): number {
    const { rvTarget } = this.options;
    if (typeof rvTarget === 'number') return rvTarget;
    if (rvTarget === 'matched') return bins === 1 ? 2 : 2 + (bin * 8) / (bins - 1);
    return NAMED_TARGETS[rvTarget];
  }

  private async judgeRow(row: RowV1): Promise<Judged> {
    const content = this.template.render({ instruction: promptOf(row) ?? '', response: responseOf(row) ?? '' });
    const reply = await generateOne(this.judge, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const verbosity = readMetric(reply.text, 'verbosity');
    const difficulty = readMetric(reply.text, 'difficulty');
    const correct = readMetric(reply.text, 'correctness');
    if (typeof verbosity !== 'number' || typeof difficulty !== 'number') {
      return { row: withMeta(row, { judgeRaw: clip(reply.text, 500) }), verbosity: 0, difficulty: 0, failure: `judge reply lacks <verbosity> or <difficulty> 0-9: ${clip(reply.text, 120)}` };
    }
    const annotated = withMeta(row, { rv: verbosity, cd: difficulty, correct });
    const judged: Judged = { row: annotated, verbosity, difficulty };
    const { rvRange, cdRange } = this.options;
    if (this.options.requireCorrect && correct !== true) judged.failure = `judged logically incorrect (correctness ${String(correct)})`;
    else if (rvRange && (verbosity < rvRange[0] || verbosity > rvRange[1])) judged.failure = `verbosity ${verbosity} outside [${rvRange.join(', ')}]`;
    else if (cdRange && (difficulty < cdRange[0] || difficulty > cdRange[1])) judged.failure = `difficulty ${difficulty} outside [${cdRange.join(', ')}]`;
    return judged;
  }
}

/** Bin of a difficulty: bisect-right over the edges, minus one, clamped to the bins. */
export function binOf(difficulty: number, edges: readonly number[]): number {
  let position = 0;
  while (position < edges.length && edges[position]! <= difficulty) position++;
  return Math.min(Math.max(position - 1, 0), edges.length - 2);
}

export const difficultySelectorDefinition = defineSelector({
  id: 'difficulty',
  description: 'Reasoning verbosity and cognitive difficulty (0–9) by judge, with curriculum mixing by difficulty bins',
  optionsSchema: difficultySelectorOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'difficulty.md', override: options.prompt, context, allowed: ['instruction', 'response'] });
    return new DifficultySelector(options, await context.getTeacher(options.teacher), template);
  },
});
