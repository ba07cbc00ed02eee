export { MtBenchError } from './errors';
export {
  ANSWER_MAX_TOKENS,
  CATEGORY_TEMPERATURE,
  MT_BENCH_JUDGE_PROMPTS,
  MT_BENCH_QUESTIONS,
  MT_BENCH_REFERENCE_ANSWERS,
  NEED_REF_CATEGORIES,
  judgePromptByName,
  temperatureForCategory,
  type MtBenchAnswer,
  type MtBenchCategory,
  type MtBenchJudgePrompt,
  type MtBenchQuestion,
} from './data/mt-bench-data';
export { pythonFormat } from './prompts/python-format';
export { judgePromptName, renderJudgePrompt, type RenderedJudgePrompt } from './prompts/render-judge-prompt';
export { parseRating } from './judging/parse-rating';
export { JUDGE_SETTINGS, judgeAnswer, type MtBenchJudge, type SingleJudgment } from './judging/judge-answer';
export { generateAnswer, type AnswerMessage, type MtBenchAnswerer } from './generation/generate-answer';
export {
  compareSummaries,
  parseJudgmentLines,
  scoreJudgments,
  type ComparisonRow,
  type MtBenchSummary,
  type ScorableJudgment,
  type TurnScores,
} from './scoring/score-judgments';
export { runMtbenchCli, type CliOutput } from './cli/run-mtbench-cli';
export { MTBENCH_CLI_USAGE } from './cli/run-mtbench-cli';
export { mtbenchRunOptionsSchema, type MtBenchRunOptions } from './plugin/mtbench-run-options';
export { MtBenchRunEvaluator } from './plugin/mtbench-run-evaluator';
export { formatMtbenchTable } from './plugin/format-mtbench-table';
export { mtbenchEvaluator, mtbenchCommand } from './plugin/mtbench-plugin';
export { default } from './plugin/mtbench-plugin';
