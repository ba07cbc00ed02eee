import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { EvaluatorV1, EvaluatorV1Request, EvaluatorV1Result, RunContextV1, TeacherV1 } from '@easydistill/core';
import { loadAlpacaEvalData } from '../data/load-alpaca-eval-data';
import { AlpacaEvalError } from '../errors';
import { annotatePair, type AlpacaAnnotation } from '../judge/annotate-pair';
import { WEIGHTED_ALPACA_EVAL_GPT4_TURBO } from '../judge/judge-prompt-template';
import { scoreAnnotations, type AlpacaEvalSummary } from '../metrics/score-annotations';
import type { AlpacaRunOptions } from './alpaca-run-options';
import { mapWithConcurrency } from './map-with-concurrency';

/**
 * Markdown table of the leaderboard metrics, one column per model. With exactly two models
 * (teacher and student) a last column gives the second model's value minus the first's.
 */
export function alpacaTable(summaries: ReadonlyArray<{ model: string; summary: AlpacaEvalSummary }>): string {
  const number = (value: (summary: AlpacaEvalSummary) => number, digits = 2) => [value, (summary: AlpacaEvalSummary) => value(summary).toFixed(digits)] as const;
  const rows: Array<[string, ((summary: AlpacaEvalSummary) => number) | undefined, (summary: AlpacaEvalSummary) => string]> = [
    ['length-controlled win rate (%)', ...number((summary) => summary.length_controlled_winrate)],
    ['win rate (%)', ...number((summary) => summary.win_rate)],
    ['standard error', ...number((summary) => summary.standard_error)],
    ['discrete win rate (%)', ...number((summary) => summary.discrete_win_rate)],
    ['wins / losses / draws', undefined, (summary) => `${summary.n_wins} / ${summary.n_wins_base} / ${summary.n_draws}`],
    ['average length', (summary) => summary.avg_length, (summary) => String(summary.avg_length)],
  ];
  const compare = summaries.length === 2;
  const header = `| AlpacaEval 2.0 | ${summaries.map((entry) => entry.model).join(' | ')} |${compare ? ` ${summaries[1]!.model} − ${summaries[0]!.model} |` : ''}`;
  const rule = `|---|${summaries.map(() => '---:|').join('')}${compare ? '---:|' : ''}`;
  const body = rows.map(([label, value, cell]) => {
    const cells = `| ${label} | ${summaries.map((entry) => cell(entry.summary)).join(' | ')} |`;
    if (!compare) return cells;
    if (value === undefined || label === 'standard error') return `${cells} |`;
    const difference = value(summaries[1]!.summary) - value(summaries[0]!.summary);
    const digits = label === 'average length' ? 0 : 2;
    return `${cells} ${difference >= 0 ? '+' : ''}${difference.toFixed(digits)} |`;
  });
  return [header, rule, ...body].join('\n');
}

/**
 * `alpaca/run`: generates each model's outputs on the AlpacaEval 2.0 instructions through its
 * teacher endpoint, judges them against the gpt4_1106_preview baseline with the official
 * `weighted_alpaca_eval_gpt4_turbo` protocol through the judge teacher (log-probabilities), and
 * writes per model `model_outputs/<model>.json`, `annotations/<model>.json` (official formats),
 * `items.jsonl` (one line per model and instruction), `summary.json` and `table.md`.
 */
export class AlpacaRunEvaluator implements EvaluatorV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'alpaca/run';

  constructor(
    private readonly options: AlpacaRunOptions,
    private readonly context: RunContextV1,
  ) {}

  async doEvaluate(request: EvaluatorV1Request): Promise<EvaluatorV1Result> {
    const { options, context } = this;
    const localPath = options.data.localPath === undefined ? undefined : resolveAgainst(context.recipeDir, options.data.localPath);
    const data = await loadAlpacaEvalData({
      ...options.data,
      localPath,
      cacheDir: options.data.cacheDir === undefined ? undefined : resolveAgainst(context.recipeDir, options.data.cacheDir),
      onProgress: (line) => context.logger.info(line),
    });
    const evalSet = data.evalSet.slice(0, options.limit ?? data.evalSet.length);
    const judge = await context.getTeacher(options.judge);
    const capabilities = await judge.doCapabilities();
    if (!capabilities.logprobs || capabilities.maxTopLogprobs < WEIGHTED_ALPACA_EVAL_GPT4_TURBO.topLogprobs) {
      throw new AlpacaEvalError(
        'ALPACA_JUDGE_FAILED',
        `The judge "${options.judge}" (${judge.modelId}) returns no top-${WEIGHTED_ALPACA_EVAL_GPT4_TURBO.topLogprobs} log-probabilities; AlpacaEval's weighted judge needs them. Use a judge endpoint with logprobs.`,
      );
    }
    await mkdir(join(request.outputDir, 'model_outputs'), { recursive: true });
    await mkdir(join(request.outputDir, 'annotations'), { recursive: true });
    context.progress.start(evalSet.length * options.models.length * 2, 'calls');

    const summaries: Array<{ model: string; summary: AlpacaEvalSummary }> = [];
    const items: string[] = [];
    for (const model of options.models) {
      const teacher = await context.getTeacher(model);
      const outputs = await mapWithConcurrency(
        evalSet,
        options.concurrency,
        async (item) => {
          const text = await generate(teacher, item.instruction, options, context.signal);
          context.progress.advance(1);
          return text;
        },
        context.signal,
      );
      const modelOutputs = evalSet.map((item, index) => ({ dataset: item.dataset, instruction: item.instruction, output: outputs[index], generator: model }));
      await writeFile(join(request.outputDir, 'model_outputs', `${fileName(model)}.json`), `${JSON.stringify(modelOutputs, null, 2)}\n`);

      const annotations = await mapWithConcurrency(
        evalSet,
        options.concurrency,
        async (item, index): Promise<AlpacaAnnotation> => {
          const annotation = await annotatePair(
            { instruction: item.instruction, baselineOutput: item.output, baselineGenerator: item.generator, modelOutput: outputs[index], modelGenerator: model },
            async (messages) => {
              const response = await judge.doGenerate({
                messages,
                maxTokens: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.maxTokens,
                temperature: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.temperature,
                topLogprobs: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.topLogprobs,
                signal: context.signal,
              });
              return response.choices[0]?.logprobs?.[0]?.top;
            },
          );
          context.progress.advance(1);
          return annotation;
        },
        context.signal,
      );
      await writeFile(join(request.outputDir, 'annotations', `${fileName(model)}.json`), `${JSON.stringify(annotations, null, 2)}\n`);
      const invalid = annotations.filter((annotation) => Number.isNaN(annotation.preference)).length;
      if (invalid > 0) context.logger.warn(`${invalid} judgments of ${model} had no m/M log-probability and are left out`, { model, invalid });
      const summary = scoreAnnotations(annotations, data, { c: options.c });
      summaries.push({ model, summary });
      annotations.forEach((annotation, index) =>
        items.push(
          JSON.stringify({
            model,
            index,
            dataset: evalSet[index].dataset,
            instruction: annotation.instruction,
            output: annotation.output_2,
            preference: Number.isNaN(annotation.preference) ? null : annotation.preference,
            is_switched_outputs: annotation.is_switched_outputs,
          }),
        ),
      );
    }
    context.progress.end();
    const table = alpacaTable(summaries);
    const summaryFile = {
      benchmark: 'alpaca_eval_2',
      annotator: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.annotator,
      judge: { reference: options.judge, model: judge.modelId },
      baseline: WEIGHTED_ALPACA_EVAL_GPT4_TURBO.baselineGenerator,
      instructions: evalSet.length,
      models: Object.fromEntries(summaries.map((entry) => [entry.model, entry.summary])),
    };
    await writeFile(join(request.outputDir, 'items.jsonl'), items.length ? `${items.join('\n')}\n` : '');
    await writeFile(join(request.outputDir, 'summary.json'), `${JSON.stringify(summaryFile, null, 2)}\n`);
    await writeFile(join(request.outputDir, 'table.md'), `${table}\n`);
    return {
      benchmark: 'alpaca_eval',
      metrics: Object.fromEntries(
        summaries.map(({ model, summary }) => [
          model,
          {
            length_controlled_winrate: summary.length_controlled_winrate,
            lc_standard_error: summary.lc_standard_error,
            win_rate: summary.win_rate,
            standard_error: summary.standard_error,
            discrete_win_rate: summary.discrete_win_rate,
            n_total: summary.n_total,
            avg_length: summary.avg_length,
          },
        ]),
      ),
      table,
    };
  }
}

async function generate(teacher: TeacherV1, instruction: string, options: AlpacaRunOptions, signal: AbortSignal): Promise<string> {
  const response = await teacher.doGenerate({
    messages: [{ role: 'user', content: instruction }],
    maxTokens: options.generation.maxTokens,
    temperature: options.generation.temperature,
    signal,
  });
  return response.choices[0]?.text ?? '';
}

function resolveAgainst(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** A model reference made safe as a file name. */
function fileName(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]+/g, '_');
}
