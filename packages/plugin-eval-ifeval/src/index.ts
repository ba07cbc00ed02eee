import { defineEvaluator, definePlugin, type PluginCommandV1 } from '@easydistill/core';
import packageJson from '../package.json' with { type: 'json' };
import { IFEVAL_CLI_USAGE, runIfevalCli } from './cli/run-ifeval-cli';
import { IfevalEvaluator, ifevalEvaluatorOptionsSchema, modelReferences } from './evaluator/ifeval-evaluator';

export { createInstructionChecker, INSTRUCTION_IDS } from './checkers/create-instruction-checker';
export type { CheckerOptions, InstructionChecker, InstructionKwargs, Relation } from './checkers/instruction-checker';
export {
  detectLanguage,
  detectLanguageProbabilities,
  LanguageDetectionError,
  type DetectLanguageOptions,
  type LanguageProbability,
} from './langdetect/langdetect';
export { PunktSentenceTokenizer, countSentences, englishSentenceTokenizer } from './punkt/punkt-sentence-tokenizer';
export { loadEnglishPunktParameters, readPunktParameters, type PunktParameters } from './punkt/punkt-parameters';
export { countWords } from './tokenize/count-words';
export { treebankTokenize, wordTokenize } from './tokenize/nltk-word-tokenizer';
export { ifevalInputDataPath, readIfevalInputData, type IfevalInput } from './read-input-data';
export { readIfevalResponses, type IfevalResponse } from './read-responses';
export {
  looseResponseVariants,
  scoreIfeval,
  scoreIfevalItem,
  summarizeIfeval,
  toOfficialEvalResult,
  type Accuracy,
  type IfevalItemResult,
  type IfevalModeSummary,
  type IfevalSummary,
} from './score-ifeval';
export { generateIfevalResponses, IFEVAL_MAX_TOKENS, type GenerateIfevalResponsesOptions } from './evaluator/generate-responses';
export { IfevalEvaluator, ifevalEvaluatorOptionsSchema, type IfevalEvaluatorOptions } from './evaluator/ifeval-evaluator';
export { formatIfevalTable } from './evaluator/format-ifeval-table';
export { IFEVAL_CLI_USAGE, runIfevalCli } from './cli/run-ifeval-cli';

/** `ifeval/run`: generate answers to the 541 IFEval prompts with each model, then score them. */
export const ifevalEvaluator = defineEvaluator({
  id: 'run',
  description: 'IFEval (541 prompts): greedy answers from each model, scored strict and loose as the official code scores them.',
  optionsSchema: ifevalEvaluatorOptionsSchema,
  teacherNeeds: (options) =>
    modelReferences(options).map(([name, reference], index) => ({ reference, path: `with.models.${Array.isArray(options.models) ? index : name}` })),
  create: ({ options, context }) => new IfevalEvaluator(options, context),
});

/** `easydistill eval ifeval`: score an existing responses file. */
export const ifevalCommand: PluginCommandV1 = {
  name: 'eval ifeval',
  summary: 'Score IFEval responses (official input_response_data.jsonl format): prompt- and instruction-level strict and loose accuracy.',
  usage: IFEVAL_CLI_USAGE,
  run: (argv, io) => runIfevalCli(argv, io),
};

/** The plugin manifest (default export, loaded by core). */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'ifeval',
  provides: [ifevalEvaluator],
  commands: [ifevalCommand],
});
