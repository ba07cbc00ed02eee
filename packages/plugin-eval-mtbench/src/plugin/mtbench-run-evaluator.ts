import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluatorV1, EvaluatorV1Request, EvaluatorV1Result, RunContextV1, TeacherV1 } from '@easydistill/core';
import { MT_BENCH_QUESTIONS, type MtBenchAnswer } from '../data/mt-bench-data';
import { MtBenchError } from '../errors';
import { generateAnswer, type MtBenchAnswerer } from '../generation/generate-answer';
import { judgeAnswer, JUDGE_SETTINGS, type MtBenchJudge, type SingleJudgment } from '../judging/judge-answer';
import { compareSummaries, scoreJudgments, type MtBenchSummary } from '../scoring/score-judgments';
import { formatMtbenchTable } from './format-mtbench-table';
import { modelReferences, type MtBenchRunOptions } from './mtbench-run-options';

const jsonl = (rows: readonly unknown[]): string => rows.map((row) => `${JSON.stringify(row)}\n`).join('');

/** FastChat treats a temperature below 1e-4 as greedy decoding. */
const GREEDY_BELOW = 1e-4;

/**
 * Counts failed calls and keeps the first error, so that a run whose every call failed (a wrong
 * key, a dead endpoint) stops with the cause instead of scoring "ERROR" answers.
 */
class FailureLog {
  calls = 0;
  failures = 0;
  first: unknown;

  wrap<Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
    return async (...args) => {
      this.calls += 1;
      try {
        return await call(...args);
      } catch (error) {
        this.failures += 1;
        this.first ??= error;
        throw error;
      }
    };
  }
}

/**
 * `mtbench/run`: for each model, answers the 80 MT-Bench questions in two turns (turn 2 sees the
 * model's own first answer; temperature by category, 1,024 new tokens) through its teacher
 * endpoint, then has the judge grade each turn with FastChat's single-answer prompts (reference-
 * guided for math, reasoning and coding). Writes the FastChat files (`model_answer/<model>.jsonl`,
 * `model_judgment/<judge>_single.jsonl`), `items.jsonl` (one line per model, question and turn),
 * `summary.json` and `table.md` (per-category table; with two models a difference column).
 * Answers already in `model_answer/<model>.jsonl` are reused (resumed runs).
 */
export class MtBenchRunEvaluator implements EvaluatorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'mtbench/run';

  constructor(
    private readonly options: MtBenchRunOptions,
    private readonly context: RunContextV1,
  ) {}

  async doEvaluate(request: EvaluatorV1Request): Promise<EvaluatorV1Result> {
    const { options, context } = this;
    const questions = MT_BENCH_QUESTIONS.slice(0, options.limit ?? MT_BENCH_QUESTIONS.length);
    const models = modelReferences(options);
    const judge = await context.getTeacher(options.judge);
    const judgeName = options.judgeName ?? judge.modelId;
    await mkdir(join(request.outputDir, 'model_answer'), { recursive: true });
    await mkdir(join(request.outputDir, 'model_judgment'), { recursive: true });
    context.progress.start(questions.length * models.length * 2, 'steps');

    const judgments: SingleJudgment[] = [];
    const answersByModel = new Map<string, Map<number, MtBenchAnswer>>();
    for (const [name, reference] of models) {
      const answerPath = join(request.outputDir, 'model_answer', `${name}.jsonl`);
      const existing = await readExistingAnswers(answerPath);
      const reused = questions.filter((question) => existing.has(question.question_id));
      if (reused.length > 0) {
        context.logger.info(`mtbench: ${name}: reusing ${reused.length} answers from ${answerPath}`);
        context.progress.advance(reused.length);
      }
      const model = await context.getTeacher(reference);
      const answerFailures = new FailureLog();
      const answerer = answerFailures.wrap(this.answerer(model));
      const fresh = await mapWithConcurrency(
        questions.filter((question) => !existing.has(question.question_id)),
        options.concurrency,
        async (question) => {
          const answer = { ...(await generateAnswer(question, answerer, name)), answer_id: `${name}-${question.question_id}`, tstamp: Date.now() / 1000 };
          context.signal.throwIfAborted();
          // Appended as it comes, so an interrupted run resumes from here.
          await appendFile(answerPath, `${JSON.stringify(answer)}\n`);
          context.progress.advance(1);
          return answer;
        },
        context.signal,
      );
      try {
        checkFailures(answerFailures, `answers of ${name} (${model.modelId})`, context);
      } catch (error) {
        // Answers of a run whose every call failed are all "ERROR": not worth resuming from.
        if (fresh.length > 0) await writeFile(answerPath, jsonl([...existing.values()].sort((a, b) => a.question_id - b.question_id)));
        throw error;
      }
      for (const answer of fresh) existing.set(answer.question_id, answer);
      const answers = new Map(questions.map((question) => [question.question_id, existing.get(question.question_id)!]));
      answersByModel.set(name, answers);
      await writeFile(answerPath, jsonl([...existing.values()].sort((a, b) => a.question_id - b.question_id)));

      const judgeFailures = new FailureLog();
      const judgeCall = judgeFailures.wrap(this.judgeCall(judge));
      const judged = await mapWithConcurrency(
        questions,
        options.concurrency,
        async (question) => {
          const records = await judgeAnswer(question, answers.get(question.question_id)!, judgeCall, { judgeModel: judgeName });
          context.signal.throwIfAborted();
          context.progress.advance(1);
          return records;
        },
        context.signal,
      );
      checkFailures(judgeFailures, `judgments of ${name} by ${options.judge} (${judge.modelId})`, context);
      judgments.push(...judged.flat());
    }
    context.progress.end();

    const summaries = scoreJudgments(judgments, questions);
    for (const summary of summaries) {
      if (summary.score === null) {
        const sample = judgments.find((judgment) => judgment.model === summary.model)?.judgment.slice(0, 200) ?? '';
        throw new MtBenchError(
          'MTBENCH_CALLS_FAILED',
          `No judgment of ${summary.model} holds a rating "[[n]]" or "[n]" (e.g. ${JSON.stringify(sample)}); the judge "${options.judge}" does not follow the MT-Bench judge prompt.`,
        );
      }
      if (summary.n_invalid > 0) context.logger.warn(`mtbench: ${summary.model}: ${summary.n_invalid} judgments without a rating are left out`, { model: summary.model, invalid: summary.n_invalid });
    }
    const categoryOf = new Map(questions.map((question) => [question.question_id, question.category]));
    const items = judgments.map((judgment) => ({
      model: judgment.model,
      question_id: judgment.question_id,
      category: categoryOf.get(judgment.question_id),
      turn: judgment.turn,
      question: questions.find((question) => question.question_id === judgment.question_id)!.turns[judgment.turn - 1],
      answer: answersByModel.get(judgment.model)!.get(judgment.question_id)!.choices[0]!.turns[judgment.turn - 1],
      judge_prompt: judgment.judge[1],
      judgment: judgment.judgment,
      score: judgment.score,
    }));
    const table = formatMtbenchTable(summaries);
    await writeFile(join(request.outputDir, 'model_judgment', `${fileName(judgeName)}_single.jsonl`), jsonl(judgments));
    await writeFile(join(request.outputDir, 'items.jsonl'), jsonl(items));
    await writeFile(
      join(request.outputDir, 'summary.json'),
      `${JSON.stringify(
        {
          benchmark: 'mt_bench',
          mode: 'single',
          judge: { reference: options.judge, model: judge.modelId, name: judgeName },
          questions: questions.length,
          models: Object.fromEntries(summaries.map((summary) => [summary.model, summary])),
          ...(summaries.length === 2 ? { comparison: compareSummaries(summaries[0]!, summaries[1]!) } : {}),
        },
        null,
        2,
      )}\n`,
    );
    await writeFile(join(request.outputDir, 'table.md'), `${table}\n`);
    return {
      benchmark: 'mt_bench',
      metrics: Object.fromEntries(summaries.map((summary) => [summary.model, metricsOf(summary)])),
      categories: Object.fromEntries(
        summaries.map((summary) => [
          summary.model,
          Object.fromEntries(Object.entries(summary.categories).flatMap(([category, scores]) => (scores.score === null ? [] : [[category, scores.score]]))),
        ]),
      ),
      table,
    };
  }

  /** The model as FastChat's answerer: greedy below 1e-4, else sampled with the run's seed. */
  private answerer(model: TeacherV1): MtBenchAnswerer {
    const { options, context } = this;
    return async ({ messages, temperature }) => {
      const greedy = temperature < GREEDY_BELOW;
      const response = await model.doGenerate({
        messages,
        temperature: greedy ? 0 : temperature,
        maxTokens: options.maxTokens,
        ...(greedy ? {} : { seed: context.seed }),
        signal: context.signal,
      });
      const text = response.choices[0]?.text;
      if (text === undefined) throw new Error(`${model.modelId} returned no choice`);
      return text;
    };
  }

  /** The judge: the system and user messages, temperature 0, 2,048 tokens (FastChat). */
  private judgeCall(judge: TeacherV1): MtBenchJudge {
    const { options, context } = this;
    return async (prompt) => {
      const response = await judge.doGenerate({
        messages: prompt.messages,
        temperature: JUDGE_SETTINGS.temperature,
        maxTokens: options.judgeMaxTokens,
        signal: context.signal,
      });
      const text = response.choices[0]?.text;
      if (text === undefined) throw new Error(`${judge.modelId} returned no choice`);
      return text;
    };
  }
}

function metricsOf(summary: MtBenchSummary): Record<string, number> {
  const metrics: Record<string, number> = { n: summary.n, n_invalid: summary.n_invalid };
  for (const key of ['score', 'turn_1', 'turn_2'] as const) {
    const value = summary[key];
    if (value !== null) metrics[key] = value;
  }
  return metrics;
}

function checkFailures(log: FailureLog, what: string, context: RunContextV1): void {
  if (log.failures === 0) return;
  const cause = log.first instanceof Error ? log.first.message : String(log.first);
  if (log.failures === log.calls) {
    throw new MtBenchError('MTBENCH_CALLS_FAILED', `Every call for the ${what} failed (${log.calls}); first error: ${cause}`, { cause: log.first });
  }
  context.logger.warn(`mtbench: ${log.failures} of ${log.calls} calls for the ${what} failed (recorded as FastChat does: "ERROR" / "$ERROR$"); first error: ${cause}`);
}

/** Answers of an earlier run of this evaluator (FastChat answer JSONL), by question id. */
async function readExistingAnswers(path: string): Promise<Map<number, MtBenchAnswer>> {
  const answers = new Map<number, MtBenchAnswer>();
  if (!existsSync(path)) return answers;
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let record: MtBenchAnswer;
    try {
      record = JSON.parse(line) as MtBenchAnswer;
    } catch (error) {
      throw new MtBenchError('MTBENCH_BAD_ANSWER', `${path}:${index + 1} is not valid JSON (delete the file to answer again): ${(error as Error).message}`, { cause: error });
    }
    if (typeof record.question_id !== 'number' || !Array.isArray(record.choices?.[0]?.turns) || record.choices[0].turns.length < 2) {
      throw new MtBenchError('MTBENCH_BAD_ANSWER', `${path}:${index + 1} is not a two-turn FastChat answer record (delete the file to answer again).`);
    }
    answers.set(record.question_id, record);
  });
  return answers;
}

/** Maps `items` with at most `concurrency` tasks in flight, keeping the input order. */
async function mapWithConcurrency<Item, Result>(
  items: readonly Item[],
  concurrency: number,
  task: (item: Item) => Promise<Result>,
  signal: AbortSignal,
): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal.throwIfAborted();
      const index = next;
      next += 1;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** A judge name made safe as a file name. */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
