export { AlpacaEvalError } from './errors';
export { ALPACA_EVAL_CLF_TEMPLATE, WEIGHTED_ALPACA_EVAL_GPT4_TURBO } from './judge/judge-prompt-template';
export { chatmlToMessages, fillJudgeTemplate, renderJudgeMessages, type ChatMessage } from './judge/render-judge-prompt';
export { PythonRandom } from './judge/python-random';
export { isSwitchedOutputs } from './judge/is-switched-outputs';
export { finalPreference, parseLogprobPreference, type TopLogprob } from './judge/parse-logprob-preference';
export { annotatePair, type AlpacaAnnotation, type AlpacaJudge } from './judge/annotate-pair';
export { codePointLength, computeWinRate, normalisePreference, type WinRateMetrics } from './metrics/win-rate';
export {
  fitL1LogisticRegression,
  l1LogisticObjective,
  logistic,
  type L1FitOptions,
  type L1FitResult,
  type SoftLabelRows,
} from './metrics/l1-logistic-regression';
export { OFFICIAL_C_GRID, groupKFoldAssignment, selectRegularisation, type RegularisationChoice } from './metrics/select-regularisation';
export {
  computeLengthControlledWinRate,
  predictWinRate,
  type GamedRow,
  type LengthControlledInput,
  type LengthControlledOptions,
  type LengthControlledResult,
  type LengthControlledWeights,
} from './metrics/length-controlled-win-rate';
export { scoreAnnotations, toAnnotations, type AlpacaEvalSummary, type ScorableAnnotation } from './metrics/score-annotations';
export { parseCsv } from './data/parse-csv';
export {
  ALPACA_EVAL_FILES,
  difficultyFromGamedRows,
  parseAlpacaEvalData,
  type AlpacaEvalData,
  type AlpacaEvalItem,
} from './data/alpaca-eval-data';
export {
  ALPACA_EVAL_REPOSITORY,
  ALPACA_EVAL_REVISION,
  ALPACA_EVAL_SHA256,
  loadAlpacaEvalData,
  type LoadAlpacaEvalDataOptions,
} from './data/load-alpaca-eval-data';
export { runAlpacaCli, type CliOutput } from './cli/run-alpaca-cli';
export { ALPACA_CLI_USAGE } from './cli/run-alpaca-cli';
export { alpacaRunOptionsSchema, type AlpacaRunOptions } from './plugin/alpaca-run-options';
export { AlpacaRunEvaluator, alpacaTable } from './plugin/alpaca-run-evaluator';
export { alpacaEvaluator, alpacaCommand } from './plugin/alpaca-plugin';
export { default } from './plugin/alpaca-plugin';
