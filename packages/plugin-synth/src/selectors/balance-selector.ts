import { z } from 'zod';
import { DistillError, defineSelector, type RowV1, type SelectorV1, type SelectorV1Decision, type TeacherV1 } from '@easydistill/core';
import { concurrencyOption, maxTokensOption, promptPath, teacherReference } from '../shared/common-options';
import { mapOrdered } from '../shared/map-ordered';
import { extractTag } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { promptOf, readPath, withMeta } from '../shared/row-text';
import { SeededRandom } from '../shared/seeded-random';
import { generateOne } from '../shared/teacher-call';
import { DISTILQWEN2_DISTRIBUTION } from './balance-categories';

export const balanceSelectorOptionsSchema = z
  .strictObject({
    /** Judge that classifies rows; not needed when `categoryField` already holds the category. */
    teacher: teacherReference.optional(),
    /** Dotted path of an existing category (e.g. `meta.category`); rows without it are classified. */
    categoryField: z.string().min(1).optional(),
    /** Target shares per category (normalised to sum 1). Default: the DistilQwen2 distribution. */
    targetDistribution: z.record(z.string(), z.number().min(0)).optional(),
    /** Rows wanted in the output (default: as many as the input). */
    total: z.number().int().min(1).optional(),
    /** Repeat rows of categories under their target (repeats get ids `${id}/r${k}`); false: only down-sample. */
    allowRepeat: z.boolean().default(true),
    /** Resampling seed (default: the run's seed). */
    seed: z.number().int().optional(),
    concurrency: concurrencyOption,
    maxTokens: maxTokensOption(64),
    prompt: promptPath,
  })
  .refine((options) => options.teacher !== undefined || options.categoryField !== undefined, { message: 'set teacher (to classify) or categoryField', path: ['teacher'] });
export type BalanceSelectorOptions = z.output<typeof balanceSelectorOptionsSchema>;

/**
 * `synth/balance`: task-category balancing. Each row gets `meta.category` (from `categoryField`,
 * else a judge's `<answer>`, else a whole-word match of a category name, else `Others`); the set is
 * then resampled to the target shares of the categories present (largest remainder), down-sampling
 * large categories and repeating rows of small ones, and shuffled with a fixed seed. Global.
 */
export class BalanceSelector implements SelectorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/balance';
  private readonly distribution: Record<string, number>;

  constructor(
    private readonly options: BalanceSelectorOptions,
    private readonly judge: TeacherV1 | undefined,
    private readonly template: PromptTemplate | undefined,
    private readonly seed: number,
  ) {
    const raw = options.targetDistribution ?? DISTILQWEN2_DISTRIBUTION;
    const sum = Object.values(raw).reduce((total, share) => total + share, 0);
    if (sum <= 0) throw new DistillError({ code: 'INVALID_RECIPE', message: 'with.targetDistribution: the shares sum to 0; give at least one category a positive share.' });
    this.distribution = Object.fromEntries(Object.entries(raw).map(([category, share]) => [category, share / sum]));
  }

  async *doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<SelectorV1Decision> {
    const byCategory = new Map<string, RowV1[]>();
    let count = 0;
    for await (const row of mapOrdered(rows, this.options.concurrency, (row) => this.classify(row))) {
      const category = row.meta!.category as string;
      const members = byCategory.get(category);
      if (members) members.push(row);
      else byCategory.set(category, [row]);
      count++;
    }
    const random = new SeededRandom(this.options.seed ?? this.seed);
    const targets = allocate(this.options.total ?? count, byCategory, this.distribution);
    const kept: RowV1[] = [];
    const dropped: SelectorV1Decision[] = [];
    for (const [category, members] of byCategory) {
      const target = targets.get(category) ?? 0;
      const order = random.shuffle(members);
      if (target <= members.length || !this.options.allowRepeat) {
        const cut = Math.min(target, members.length);
        kept.push(...order.slice(0, cut));
        for (const row of order.slice(cut)) dropped.push({ row, keep: false, reason: `category ${category} over its target: ${cut} of ${members.length} kept (share ${(this.distribution[category] ?? 0).toFixed(3)})` });
        continue;
      }
      kept.push(...members);
      for (let extra = 0; extra < target - members.length; extra++) {
        const source = order[extra % order.length]!;
        const repeat = Math.floor(extra / order.length) + 1;
        kept.push(withMeta({ ...source, id: `${source.id}/r${repeat}` }, { repeatOf: source.id }));
      }
    }
    for (const row of random.shuffle(kept)) yield { row, keep: true };
    yield* dropped;
  }

  private async classify(row: RowV1): Promise<RowV1> {
    const existing = this.options.categoryField ? readPath(row, this.options.categoryField) : undefined;
    if (typeof existing === 'string' && existing.length > 0) return withMeta(row, { category: existing });
    if (!this.judge || !this.template) {
      throw new DistillError({ code: 'INVALID_DATASET', message: `row ${row.id} has no category at ${this.options.categoryField} and no teacher is set to classify it (with.teacher).` });
    }
    const categories = Object.keys(this.distribution);
    const content = this.template.render({ categories: categories.join(', '), instruction: promptOf(row) ?? '' });
    const reply = await generateOne(this.judge, { messages: [{ role: 'user', content }], temperature: 0, maxTokens: this.options.maxTokens });
    return withMeta(row, { category: categoryFrom(reply.text, categories) });
  }
}

/** The category in `<answer>`, else the first category named as a whole phrase, else `Others`. */
export function categoryFrom(text: string, categories: readonly string[]): string {
  const answer = extractTag(text, 'answer');
  const exact = answer && categories.find((category) => category.toLowerCase() === answer.toLowerCase());
  if (exact) return exact;
  const escaped = (category: string) => category.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return categories.find((category) => new RegExp(`\\b${escaped(category)}\\b`, 'i').test(answer ?? text)) ?? 'Others';
}

/** Rows per present category: total × share, floors plus largest remainders, summing to `total`. */
export function allocate(total: number, present: ReadonlyMap<string, unknown[]>, distribution: Readonly<Record<string, number>>): Map<string, number> {
  const shares = [...present.keys()].map((category) => ({ category, share: distribution[category] ?? 0 })).filter((item) => item.share > 0);
  const sum = shares.reduce((acc, item) => acc + item.share, 0);
  const exact = shares.map((item) => ({ ...item, want: sum > 0 ? (total * item.share) / sum : 0 }));
  const result = new Map(exact.map((item) => [item.category, Math.floor(item.want)]));
  let left = total - [...result.values()].reduce((acc, value) => acc + value, 0);
  for (const item of [...exact].sort((a, b) => b.want - Math.floor(b.want) - (a.want - Math.floor(a.want)) || a.category.localeCompare(b.category))) {
    if (left <= 0) break;
    result.set(item.category, result.get(item.category)! + 1);
    left--;
  }
  return result;
}

export const balanceSelectorDefinition = defineSelector({
  id: 'balance',
  description: 'Task-category balancing to a target distribution (DistilQwen2 shares by default)',
  optionsSchema: balanceSelectorOptionsSchema,
  teacherNeeds: (options) => (options.teacher ? [{ reference: options.teacher, path: 'with.teacher' }] : []),
  async create({ options, context }) {
    const template = options.teacher ? loadPrompt({ name: 'balance.md', override: options.prompt, context, allowed: ['categories', 'instruction'] }) : undefined;
    const judge = options.teacher ? await context.getTeacher(options.teacher) : undefined;
    return new BalanceSelector(options, judge, template, context.seed);
  },
});
