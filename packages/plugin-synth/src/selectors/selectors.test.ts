import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistillError, type RowV1 } from '@easydistill/core';
import { describe, expect, it } from 'vitest';
import { collect, scriptedTeacher, streamOf, testContext, userText } from '../__fixtures__/scripted-teacher';
import { allocate, balanceSelectorDefinition, balanceSelectorOptionsSchema, BalanceSelector, categoryFrom } from './balance-selector';
import { DecontaminateSelector, decontaminateSelectorDefinition, decontaminateSelectorOptionsSchema, loadBenchmarkPrompts, loadHashedBenchmarkGrams } from './decontaminate-selector';
import { DedupSelector, dedupSelectorOptionsSchema } from './dedup-selector';
import { binOf, difficultySelectorDefinition, difficultySelectorOptionsSchema } from './difficulty-selector';
import { gramDigest } from './hashed-ngrams';
import { judgeScoreSelectorDefinition, judgeScoreSelectorOptionsSchema } from './judge-score-selector';

const rows = (texts: string[], extra: (index: number) => Partial<RowV1> = () => ({})): RowV1[] => texts.map((instruction, index) => ({ id: `r${index}`, instruction, ...extra(index) }));

describe('synth/dedup', () => {
  it('drops exact duplicates after normalisation, keeping the first, and names it', async () => {
    const selector = new DedupSelector(dedupSelectorOptionsSchema.parse({}));
    const decisions = await collect(selector.doSelect(streamOf(rows(['Hello, World!', 'hello world', 'Hello there', '  HELLO   world. ']))));
    expect(decisions.map((decision) => decision.keep)).toEqual([true, false, true, false]);
    expect(decisions[1]!.reason).toBe('exact duplicate of r0');
    const exact = new DedupSelector(dedupSelectorOptionsSchema.parse({ normalize: 'none' }));
    expect((await collect(exact.doSelect(streamOf(rows(['a b', 'a  b', 'a b']))))).map((decision) => decision.keep)).toEqual([true, true, false]);
  });
});

describe('synth/decontaminate', () => {
  // AlpacaEval items 478 and 497 come from the self-instruct user-oriented set (yizhongw/self-instruct, Apache-2.0).
  const alpacaLong = 'If you could help me write an email to my friends inviting them to dinner on Friday, it would be greatly appreciated.';
  const alpacaShort = 'Write a template for First-Person LinkedIn profile summary.';

  it('drops rows sharing a 13-gram with IFEval, MT-Bench or the hashed AlpacaEval set, and keeps the rest', async () => {
    const options = decontaminateSelectorOptionsSchema.parse({});
    const context = testContext({});
    const selector = new DecontaminateSelector(options, loadBenchmarkPrompts(options, context), loadHashedBenchmarkGrams(options));
    expect(selector.indexedGrams).toBeGreaterThan(20_000);
    const input = rows([
      // IFEval key 1001, reworded around a copied 13-word span, different case and punctuation.
      'Please: I AM PLANNING A TRIP TO JAPAN and I would like thee to write an itinerary for me!',
      // MT-Bench question 81, turn 1, embedded in a longer request.
      'Before anything else: compose an engaging travel blog post about a recent trip to Hawaii, highlighting cultural experiences.',
      `Hi. ${alpacaLong.replace('greatly', 'very')} Thanks`,
      alpacaShort,
      'Write an email to my friends inviting them to lunch.',
      'Explain how photosynthesis works in simple terms for a ten-year-old child who likes plants.',
    ]);
    const decisions = await collect(selector.doSelect(streamOf(input)));
    expect(decisions.map((decision) => decision.keep)).toEqual([false, false, false, false, true, true]);
    expect(decisions[0]!.reason).toMatch(/^13-gram overlap with ifeval:1001: "i am planning a trip to japan and i would like thee to"$/);
    expect(decisions[1]!.reason).toContain('mt-bench:81#1');
    expect(decisions[2]!.reason).toMatch(/alpaca-eval:478/);
    expect(decisions[3]!.reason).toMatch(/alpaca-eval:497: "write a template for first person linkedin profile summary"/);
    expect(decisions[0]!.row.meta).toMatchObject({ contamination: { source: 'ifeval:1001' } });
  });

  it('ships AlpacaEval as hashes only, and uses local text or refuses another n-gram size', async () => {
    const grams = loadHashedBenchmarkGrams(decontaminateSelectorOptionsSchema.parse({}));
    expect(grams.length).toBe(14_464);
    expect(grams.some((gram) => gram.source === 'alpaca-eval:497' && gram.words === 9)).toBe(true);
    expect(gramDigest('write a template for first person linkedin profile summary')).toMatch(/^[0-9a-f]{16}$/);
    expect(() => new DecontaminateSelector(decontaminateSelectorOptionsSchema.parse({ ngram: 8 }), [], grams)).toThrow(/ngram must be 13/);
    const folder = mkdtempSync(join(tmpdir(), 'decon-'));
    writeFileSync(join(folder, 'ae.json'), JSON.stringify([{ instruction: 'one two three four five six seven eight nine' }]));
    const options = decontaminateSelectorOptionsSchema.parse({ benchmarks: ['alpaca-eval'], alpacaEvalPath: 'ae.json', ngram: 5 });
    expect(loadHashedBenchmarkGrams(options)).toEqual([]);
    const selector = await decontaminateSelectorDefinition.create({ options, context: testContext({}, { recipeDir: folder }) });
    const decisions = await collect(selector.doSelect(streamOf(rows(['zero one two three four five', 'one two three four']))));
    expect(decisions.map((decision) => decision.keep)).toEqual([false, true]);
    expect(decisions[0]!.reason).toBe('5-gram overlap with alpaca-eval:0: "one two three four five"');
    expect(() => loadBenchmarkPrompts(decontaminateSelectorOptionsSchema.parse({ extraPaths: ['missing.jsonl'] }), { recipeDir: folder })).toThrow(/with\.extraPaths\[0\]: .*missing\.jsonl does not exist/);
  });
});

describe('synth/balance', () => {
  it('classifies with the judge, resamples to the target shares (repeating small categories) and is reproducible', async () => {
    const judge = scriptedTeacher((request) => {
      const text = userText(request);
      return text.includes('solve') ? '<answer>Math</answer>' : text.includes('code') ? 'It is Code Generation.' : '<answer>Poetry</answer>';
    });
    const input = rows([...Array.from({ length: 6 }, (_, i) => `solve ${i}`), 'write code 0', 'write a poem 0', 'write a poem 1']);
    const options = balanceSelectorOptionsSchema.parse({ teacher: 'judge', targetDistribution: { Math: 0.5, 'Code Generation': 0.25, Others: 0.25 }, total: 8 });
    const run = async () => collect((await balanceSelectorDefinition.create({ options, context: testContext({ judge }) })).doSelect(streamOf(input)));
    const decisions = await run();
    const kept = decisions.filter((decision) => decision.keep).map((decision) => decision.row);
    const count = (category: string) => kept.filter((row) => row.meta!.category === category).length;
    expect([count('Math'), count('Code Generation'), count('Others')]).toEqual([4, 2, 2]);
    expect(kept.filter((row) => row.meta!.repeatOf === 'r6').map((row) => row.id)).toEqual(['r6/r1']);
    expect(decisions.filter((decision) => !decision.keep)).toHaveLength(2);
    expect(decisions.find((decision) => !decision.keep)!.reason).toMatch(/^category Math over its target: 4 of 6 kept/);
    expect((await run()).map((decision) => decision.row.id)).toEqual(decisions.map((decision) => decision.row.id));
    expect(categoryFrom('<answer>code generation</answer>', ['Code Generation', 'Others'])).toBe('Code Generation');
  });

  it('allocates by largest remainder and reads categories from a field', async () => {
    const present = new Map<string, unknown[]>([['a', []], ['b', []], ['c', []]]);
    expect(allocate(10, present, { a: 1, b: 1, c: 1 })).toEqual(new Map([['a', 4], ['b', 3], ['c', 3]]));
    const selector = new BalanceSelector(balanceSelectorOptionsSchema.parse({ categoryField: 'meta.kind', targetDistribution: { x: 1, y: 1 }, allowRepeat: false }), undefined, undefined, 1);
    const decisions = await collect(selector.doSelect(streamOf(rows(['1', '2', '3', '4'], (i) => ({ meta: { kind: i === 0 ? 'y' : 'x' } })))));
    expect(decisions.filter((decision) => decision.keep).map((decision) => decision.row.meta!.category).sort()).toEqual(['x', 'x', 'y']);
    await expect(collect(selector.doSelect(streamOf([{ id: 'q', instruction: 'no kind' }])))).rejects.toThrow(DistillError);
  });
});

describe('synth/judge-score', () => {
  const judge = scriptedTeacher((request) => {
    const text = userText(request);
    const score = Number(/item (\d)/.exec(text)?.[1] ?? 0);
    if (text.includes('item 9')) return 'no tags at all';
    return `<informativeness>${score}</informativeness><helpfulness>${score}</helpfulness><generalization>${score}</generalization><correctness>${score >= 3 ? 'true' : 'false'}</correctness>`;
  });
  const input = rows(['item 5', 'item 2', 'item 7', 'item 9', 'item 4'], () => ({ output: 'answer' }));

  it('gates on minimum scores and correctness, keeps raw text of unparseable replies', async () => {
    const options = judgeScoreSelectorOptionsSchema.parse({ teacher: 'judge', minScores: { helpfulness: 4, correctness: true } });
    const selector = await judgeScoreSelectorDefinition.create({ options, context: testContext({ judge }) });
    const decisions = await collect(selector.doSelect(streamOf(input)));
    expect(decisions.map((decision) => decision.keep)).toEqual([true, false, true, false, true]);
    expect(decisions[1]!.reason).toBe('helpfulness 2 < 4; correctness is false');
    expect(decisions[3]!.reason).toMatch(/^judge reply has none of/);
    expect(decisions[3]!.row.meta!.judgeRaw).toBe('no tags at all');
    expect(decisions[0]!.row.meta).toMatchObject({ scores: { informativeness: 5, correctness: true }, scoreMean: 6 });
  });

  it('keeps the top k by mean score, ties in input order', async () => {
    const options = judgeScoreSelectorOptionsSchema.parse({ teacher: 'judge', keepTopK: 2 });
    const selector = await judgeScoreSelectorDefinition.create({ options, context: testContext({ judge }) });
    const decisions = await collect(selector.doSelect(streamOf(input)));
    expect(decisions.filter((decision) => decision.keep).map((decision) => decision.row.id)).toEqual(['r2', 'r0']);
    expect(decisions.find((decision) => decision.row.id === 'r4')!.reason).toMatch(/ranks 3; only the top 2 are kept/);
    expect(() => judgeScoreSelectorOptionsSchema.parse({ teacher: 'judge', keepTopK: 1, keepTopRatio: 0.5 })).toThrow(/keepTopK or keepTopRatio/);
  });
});

describe('synth/difficulty', () => {
  it('bins by difficulty, orders easiest first, keeps those nearest the verbosity target, drops incorrect', async () => {
    // "rv/cd/ok" in each instruction scripts the judge's reply.
    const judge = scriptedTeacher((request) => {
      const [, rv, cd, ok] = /(\d)\/(\d)\/(\w+)/.exec(userText(request))!;
      return `<verbosity>${rv}</verbosity><difficulty>${cd}</difficulty><correctness>${ok}</correctness>`;
    });
    const input = rows(['7/8/true', '2/1/true', '9/1/true', '5/4/false', '3/2/true', '8/7/true'], () => ({ output: 'r' }));
    const options = difficultySelectorOptionsSchema.parse({ teacher: 'judge', samplesPerBin: 1 });
    const selector = await difficultySelectorDefinition.create({ options, context: testContext({ judge }) });
    const decisions = await collect(selector.doSelect(streamOf(input)));
    expect(decisions[0]).toMatchObject({ keep: false, reason: 'judged logically incorrect (correctness false)' });
    const kept = decisions.filter((decision) => decision.keep).map((decision) => [decision.row.id, decision.row.meta!.cdBin, decision.row.meta!.rvTarget]);
    // Bin 0 (cd 0-2, target rv 2): r1 (rv 2) beats r2 (rv 9) and r4 (rv 3); bin 1 holds only the incorrect r3;
    // bin 2 (cd 6-9, target rv 10): r5 (rv 8) beats r0 (rv 7).
    expect(kept).toEqual([['r1', 0, 2], ['r5', 2, 10]]);
    expect(decisions.find((decision) => decision.row.id === 'r2')!.reason).toMatch(/difficulty bin 0 is full/);
    expect(binOf(3, [0, 3, 6, 10])).toBe(1);
    expect(binOf(9, [0, 3, 6, 10])).toBe(2);
  });
});
