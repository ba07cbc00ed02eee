import { describe, expect, it } from 'vitest';
import { readJsonl } from '../__fixtures__/read-fixtures';
import {
  MT_BENCH_JUDGE_PROMPTS,
  MT_BENCH_QUESTIONS,
  MT_BENCH_REFERENCE_ANSWERS,
  temperatureForCategory,
  type MtBenchQuestion,
} from './mt-bench-data';

describe('shipped MT-Bench data', () => {
  it('equals the FastChat files (questions, judge prompts, GPT-4 references)', () => {
    expect(MT_BENCH_QUESTIONS).toEqual(readJsonl('question.jsonl'));
    expect(MT_BENCH_JUDGE_PROMPTS).toEqual(readJsonl('judge_prompts.jsonl'));
    expect(MT_BENCH_REFERENCE_ANSWERS).toEqual(readJsonl('reference_answer/gpt-4.jsonl'));
  });

  it('has 80 two-turn questions, 10 per category, and references for math, reasoning and coding', () => {
    expect(MT_BENCH_QUESTIONS).toHaveLength(80);
    const counts: Record<string, number> = {};
    for (const question of MT_BENCH_QUESTIONS as MtBenchQuestion[]) {
      counts[question.category] = (counts[question.category] ?? 0) + 1;
      expect(question.turns).toHaveLength(2);
    }
    expect(counts).toEqual({ writing: 10, roleplay: 10, reasoning: 10, math: 10, coding: 10, extraction: 10, stem: 10, humanities: 10 });
    const needReference = MT_BENCH_QUESTIONS.filter((question) => ['math', 'reasoning', 'coding'].includes(question.category)).map((question) => question.question_id);
    expect(MT_BENCH_REFERENCE_ANSWERS.map((answer) => answer.question_id).sort((a, b) => a - b)).toEqual(needReference.sort((a, b) => a - b));
  });

  it('answers with FastChat temperatures by category', () => {
    expect(['writing', 'roleplay', 'extraction', 'math', 'coding', 'reasoning', 'stem', 'humanities'].map(temperatureForCategory)).toEqual([
      0.7, 0.7, 0, 0, 0, 0, 0.1, 0.1,
    ]);
    expect(temperatureForCategory('something-else')).toBe(0.7);
  });
});
