import { defineEvaluator, definePlugin, type PluginCommandV1 } from '@easydistill/core';
import packageJson from '../../package.json' with { type: 'json' };
import { ALPACA_CLI_USAGE, runAlpacaCli } from '../cli/run-alpaca-cli';
import { WEIGHTED_ALPACA_EVAL_GPT4_TURBO } from '../judge/judge-prompt-template';
import { alpacaRunOptionsSchema } from './alpaca-run-options';
import { AlpacaRunEvaluator } from './alpaca-run-evaluator';

/** `alpaca/run`: AlpacaEval 2.0 (generation, weighted GPT-4-Turbo-style judging, win rate and LC win rate). */
export const alpacaEvaluator = defineEvaluator({
  id: 'run',
  description: 'AlpacaEval 2.0: generate on the 805 instructions, judge against gpt4_1106_preview with logprobs, win rate and length-controlled win rate.',
  optionsSchema: alpacaRunOptionsSchema,
  teacherNeeds: (options) => [
    ...options.models.map((model, index) => ({ reference: model, path: `with.models.${index}` })),
    { reference: options.judge, path: 'with.judge', logprobs: true, topLogprobs: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.topLogprobs },
  ],
  create: ({ options, context }) => new AlpacaRunEvaluator(options, context),
});

/** `easydistill eval alpaca --annotations <annotations.json> [--json]`. */
export const alpacaCommand: PluginCommandV1 = {
  name: 'eval alpaca',
  summary: 'Score official AlpacaEval 2.0 annotations: win rate, standard error, length-controlled win rate.',
  usage: ALPACA_CLI_USAGE,
  run: (argv, io) =>
    runAlpacaCli(argv, { stdout: (text) => io.stdout.write(text), stderr: (text) => io.stderr.write(text) }, { cwd: io.cwd }),
};

/** The plugin manifest (default export, loaded by core). */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'alpaca',
  provides: [alpacaEvaluator],
  commands: [alpacaCommand],
});
