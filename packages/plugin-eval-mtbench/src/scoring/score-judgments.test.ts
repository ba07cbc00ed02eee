import { describe, expect, it } from 'vitest';
import { readFixtureText, readModelAnswers } from '../__fixtures__/read-fixtures';
import { MT_BENCH_QUESTIONS } from '../data/mt-bench-data';
import { judgeAnswer, type SingleJudgment } from '../judging/judge-answer';
import type { RenderedJudgePrompt } from '../prompts/render-judge-prompt';
import { compareSummaries, parseJudgmentLines, scoreJudgments } from './score-judgments';

/**
 * A scripted judge: the rating is a fixed function of (model, question, turn), written in the
 * formats judges produce; every 17th call fails ($ERROR$) and every 23rd has no rating. Returns the
 * ratings it meant, so the test can compute the expected scores independently.
 */
function scriptedJudge(modelIndex: number, intended: Map<string, number | null>) {
  let calls = 0;
  return async (prompt: RenderedJudgePrompt, questionId: number, turn: number) => {
    calls += 1;
    const key = `${modelIndex}/${questionId}/${turn}`;
    if (calls % 17 === 0) {
      intended.set(key, null);
      throw new Error('judge API failure');
    }
    if (calls % 23 === 0) {
      intended.set(key, null);
      return 'The answer is fine but I will not give a number.';
    }
    const rating = ((questionId * 7 + turn * 3 + modelIndex * 5) % 10) + 1;
    intended.set(key, rating);
    expect(prompt.userPrompt.length).toBeGreaterThan(0);
    return calls % 5 === 0 ? `Explanation… Rating: [${rating}]` : `Explanation… Rating: [[${rating}]]`;
  };
}

describe('MT-Bench score on the shipped answer sets with a scripted judge', async () => {
  const answers = readModelAnswers();
  const intended = new Map<string, number | null>();
  const judgments: SingleJudgment[] = [];
  let modelIndex = 0;
  for (const [, modelAnswers] of answers) {
    const judge = scriptedJudge(modelIndex, intended);
    for (const question of MT_BENCH_QUESTIONS) {
      const answer = modelAnswers.find((entry) => entry.question_id === question.question_id)!;
      let turn = 0;
      const records = await judgeAnswer(
        question,
        answer,
        (prompt) => {
          turn += 1;
          return judge(prompt, question.question_id, turn);
        },
        { judgeModel: 'scripted', now: () => 1_700_000_000_000 },
      );
      judgments.push(...records);
    }
    modelIndex += 1;
  }

  it('records both turns of every answer in the FastChat judgment shape', () => {
    expect(judgments).toHaveLength(6 * 80 * 2);
    const first = judgments[0];
    expect(Object.keys(first).sort()).toEqual(['judge', 'judgment', 'model', 'question_id', 'score', 'tstamp', 'turn', 'user_prompt']);
    expect(first.judge).toEqual(['scripted', 'single-v1']);
    expect(first.tstamp).toBe(1_700_000_000);
    expect(judgments.filter((judgment) => judgment.judgment === '$ERROR$').every((judgment) => judgment.score === -1)).toBe(true);
  });

  it('pools all valid turn scores per model and drops the −1s', () => {
    const summaries = scoreJudgments(judgments);
    expect(summaries.map((summary) => summary.model)).toEqual([...answers.keys()]);
    summaries.forEach((summary, index) => {
      const ratings = (turn?: number) =>
        [...intended]
          .filter(([key, value]) => key.startsWith(`${index}/`) && value !== null && (turn === undefined || key.endsWith(`/${turn}`)))
          .map(([, value]) => value as number);
      const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      expect(summary.score).toBeCloseTo(average(ratings()), 12);
      expect(summary.turn_1).toBeCloseTo(average(ratings(1)), 12);
      expect(summary.turn_2).toBeCloseTo(average(ratings(2)), 12);
      expect(summary.n + summary.n_invalid).toBe(160);
      expect(summary.n_invalid).toBe(160 - ratings().length);
      expect(Object.keys(summary.categories)).toEqual(['writing', 'roleplay', 'reasoning', 'math', 'coding', 'extraction', 'stem', 'humanities']);
    });
    // With drops in one turn only, the pooled score differs from the mean of the turn means.
    const lopsided = scoreJudgments([
      { question_id: 81, model: 'm', turn: 1, score: 10 },
      { question_id: 82, model: 'm', turn: 1, score: 10 },
      { question_id: 81, model: 'm', turn: 2, score: 1 },
      { question_id: 82, model: 'm', turn: 2, score: -1 },
    ])[0];
    expect(lopsided.score).toBe(7);
    expect((lopsided.turn_1! + lopsided.turn_2!) / 2).toBe(5.5);
  });

  it('builds the per-category table and a two-model comparison', () => {
    const [first, second] = scoreJudgments(judgments);
    const writing = judgments.filter((judgment) => judgment.model === first.model && judgment.question_id <= 90 && judgment.score !== -1);
    expect(first.categories.writing.score).toBeCloseTo(writing.reduce((sum, judgment) => sum + judgment.score, 0) / writing.length, 12);
    const rows = compareSummaries(first, second);
    expect(rows.map((row) => row.category)).toEqual([...Object.keys(first.categories), 'overall']);
    expect(rows.at(-1)!.difference).toBeCloseTo(second.score! - first.score!, 12);
  });

  it('reads the judgments back from FastChat JSONL', () => {
    const jsonl = judgments.map((judgment) => JSON.stringify(judgment)).join('\n');
    expect(scoreJudgments(parseJudgmentLines(jsonl, 'x.jsonl', () => Number.NaN))).toEqual(scoreJudgments(judgments));
    expect(() => parseJudgmentLines('{"model":"m"}', 'bad.jsonl', () => 0)).toThrow(/bad.jsonl:1 needs question_id/);
    expect(() => parseJudgmentLines('not json', 'bad.jsonl', () => 0)).toThrow(/bad.jsonl:1 is not valid JSON/);
  });

  it('covers the six shipped answer sets listed in published_scores.csv', () => {
    // The published scores need GPT-4 as the judge (official judgments are not available); the
    // shipped answer sets are the ones the leaderboard scored.
    const published = new Map(
      readFixtureText('published_scores.csv')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .map(([, id, score]) => [id, Number(score)] as const),
    );
    for (const model of answers.keys()) {
      if (model !== 'llama-13b') expect(published.get(model), model).toBeGreaterThan(4);
    }
    expect(published.get('gpt-4')).toBe(8.99);
  });
});
