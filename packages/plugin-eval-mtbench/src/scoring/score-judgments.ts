import { MT_BENCH_QUESTIONS, type MtBenchQuestion } from '../data/mt-bench-data';
import { MtBenchError } from '../errors';

/** The fields of a single judgment the scorer reads. */
export interface ScorableJudgment {
  question_id: number;
  model: string;
  score: number;
  turn: number;
}

/** Mean scores over one slice of judgments; null when no valid judgment is in the slice. */
export interface TurnScores {
  /** Mean over all valid turn scores (both turns pooled). */
  score: number | null;
  turn_1: number | null;
  turn_2: number | null;
  /** Valid judgments counted. */
  n: number;
}

/** The MT-Bench result of one model. */
export interface MtBenchSummary extends TurnScores {
  model: string;
  /** Judgments dropped because their score was −1. */
  n_invalid: number;
  /** Per-category scores, in the fixed category order. */
  categories: Record<string, TurnScores>;
}

const CATEGORY_ORDER = ['writing', 'roleplay', 'reasoning', 'math', 'coding', 'extraction', 'stem', 'humanities'];

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function turnScores(judgments: readonly ScorableJudgment[]): TurnScores {
  return {
    score: mean(judgments.map((judgment) => judgment.score)),
    turn_1: mean(judgments.filter((judgment) => judgment.turn === 1).map((judgment) => judgment.score)),
    turn_2: mean(judgments.filter((judgment) => judgment.turn === 2).map((judgment) => judgment.score)),
    n: judgments.length,
  };
}

/**
 * MT-Bench scores as FastChat's `show_result.py --mode single` computes them: judgments with score
 * −1 are dropped; per model, the first- and second-turn means, and the MT-Bench score = the mean of
 * all remaining turn scores pooled (not the mean of the two turn means when some were dropped).
 * Adds a per-category table (categories from the shipped questions unless `questions` is given).
 * Models come out in order of first appearance.
 */
export function scoreJudgments(
  judgments: readonly ScorableJudgment[],
  questions: readonly MtBenchQuestion[] = MT_BENCH_QUESTIONS,
): MtBenchSummary[] {
  const categoryOf = new Map(questions.map((question) => [question.question_id, question.category]));
  const byModel = new Map<string, ScorableJudgment[]>();
  for (const judgment of judgments) {
    if (!byModel.has(judgment.model)) byModel.set(judgment.model, []);
    byModel.get(judgment.model)!.push(judgment);
  }
  return [...byModel].map(([model, all]) => {
    const valid = all.filter((judgment) => judgment.score !== -1);
    const categories: Record<string, TurnScores> = {};
    const seen = [...new Set(valid.map((judgment) => categoryOf.get(judgment.question_id) ?? 'unknown'))];
    const ordered = [...CATEGORY_ORDER.filter((name) => seen.includes(name)), ...seen.filter((name) => !CATEGORY_ORDER.includes(name)).sort()];
    for (const category of ordered) {
      categories[category] = turnScores(valid.filter((judgment) => (categoryOf.get(judgment.question_id) ?? 'unknown') === category));
    }
    return { model, ...turnScores(valid), n_invalid: all.length - valid.length, categories };
  });
}

/** One row of a two-model comparison: a category (or `overall`) and each model's score. */
export interface ComparisonRow {
  category: string;
  scores: Record<string, number | null>;
  /** Second model's score minus the first's; null when either is missing. */
  difference: number | null;
}

/** Compares two models' summaries (e.g. teacher and student) by category and overall. */
export function compareSummaries(first: MtBenchSummary, second: MtBenchSummary): ComparisonRow[] {
  const names = [...new Set([...Object.keys(first.categories), ...Object.keys(second.categories)])];
  const row = (category: string, a: number | null, b: number | null): ComparisonRow => ({
    category,
    scores: { [first.model]: a, [second.model]: b },
    difference: a === null || b === null ? null : b - a,
  });
  return [
    ...names.map((name) => row(name, first.categories[name]?.score ?? null, second.categories[name]?.score ?? null)),
    row('overall', first.score, second.score),
  ];
}

/**
 * Parses FastChat single-judgment JSONL (`model_judgment/<judge>_single.jsonl`). Each line needs
 * `question_id`, `model`, `turn` and `score` (or a `judgment` text to parse); `source` names the
 * file in errors.
 */
export function parseJudgmentLines(text: string, source: string, parse: (judgment: string) => number): ScorableJudgment[] {
  const judgments: ScorableJudgment[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new MtBenchError('MTBENCH_BAD_JUDGMENTS', `${source}:${index + 1} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const { question_id: questionId, model, turn } = record;
    if (typeof questionId !== 'number' || typeof model !== 'string' || (turn !== 1 && turn !== 2)) {
      throw new MtBenchError(
        'MTBENCH_BAD_JUDGMENTS',
        `${source}:${index + 1} needs question_id (number), model (string) and turn (1 or 2), as in FastChat's <judge>_single.jsonl.`,
      );
    }
    let score = record.score;
    if (typeof score !== 'number') {
      if (typeof record.judgment !== 'string') {
        throw new MtBenchError('MTBENCH_BAD_JUDGMENTS', `${source}:${index + 1} has neither a numeric score nor a judgment text.`);
      }
      score = parse(record.judgment);
    }
    judgments.push({ question_id: questionId, model, turn, score: score as number });
  });
  return judgments;
}
