import { defineEvaluator, definePlugin, type PluginCommandV1 } from '@easydistill/core';
import packageJson from '../../package.json' with { type: 'json' };
import { MTBENCH_CLI_USAGE, runMtbenchCli } from '../cli/run-mtbench-cli';
import { MtBenchRunEvaluator } from './mtbench-run-evaluator';
import { modelReferences, mtbenchRunOptionsSchema } from './mtbench-run-options';

/** `mtbench/run`: MT-Bench single-answer grading of one or more models by a judge teacher. */
export const mtbenchEvaluator = defineEvaluator({
  id: 'run',
  description: 'MT-Bench (80 questions, 2 turns): answers from each model, single-answer grading 1–10 by a judge, score and per-category table.',
  optionsSchema: mtbenchRunOptionsSchema,
  teacherNeeds: (options) => [
    ...modelReferences(options).map(([name, reference], index) => ({ reference, path: `with.models.${Array.isArray(options.models) ? index : name}` })),
    { reference: options.judge, path: 'with.judge' },
  ],
  create: ({ options, context }) => new MtBenchRunEvaluator(options, context),
});

/** `easydistill eval mtbench --judgments <file.jsonl> [--json]`. */
export const mtbenchCommand: PluginCommandV1 = {
  name: 'eval mtbench',
  summary: 'Score FastChat MT-Bench single-answer judgments (<judge>_single.jsonl): the MT-Bench score, per-turn and per-category scores.',
  usage: MTBENCH_CLI_USAGE,
  run: (argv, io) => runMtbenchCli(argv, { stdout: (text) => io.stdout.write(text), stderr: (text) => io.stderr.write(text) }, { cwd: io.cwd }),
};

/** The plugin manifest (default export, loaded by core). */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'mtbench',
  provides: [mtbenchEvaluator],
  commands: [mtbenchCommand],
});
