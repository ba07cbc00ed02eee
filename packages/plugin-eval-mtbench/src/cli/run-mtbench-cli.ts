import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MtBenchError } from '../errors';
import { parseRating } from '../judging/parse-rating';
import { formatMtbenchTable } from '../plugin/format-mtbench-table';
import { parseJudgmentLines, scoreJudgments, type MtBenchSummary } from '../scoring/score-judgments';

/** Where the CLI writes; tests pass collectors, the real CLI the process streams. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const MTBENCH_CLI_USAGE = `Usage: easydistill eval mtbench --judgments <gpt-4_single.jsonl> [--model <name>] [--json]

Scores FastChat single-answer judgments (model_judgment/<judge>_single.jsonl): judgments with
score -1 are dropped; the MT-Bench score is the mean of all remaining turn scores.`;

function format(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

function table(summaries: readonly MtBenchSummary[]): string {
  const lines = ['model                          score  turn 1  turn 2  valid  invalid'];
  for (const summary of summaries) {
    lines.push(
      `${summary.model.padEnd(30)} ${format(summary.score).padStart(5)}  ${format(summary.turn_1).padStart(6)}  ${format(summary.turn_2).padStart(6)}  ${String(summary.n).padStart(5)}  ${String(summary.n_invalid).padStart(7)}`,
    );
  }
  for (const summary of summaries) {
    lines.push('', `${summary.model} by category`, 'category        score  turn 1  turn 2');
    for (const [category, scores] of Object.entries(summary.categories)) {
      lines.push(`${category.padEnd(14)} ${format(scores.score).padStart(6)}  ${format(scores.turn_1).padStart(6)}  ${format(scores.turn_2).padStart(6)}`);
    }
  }
  // Several models (teacher and student): side by side by category, with the difference for two.
  if (summaries.length > 1) lines.push('', formatMtbenchTable(summaries));
  return `${lines.join('\n')}\n`;
}

/**
 * `easydistill eval mtbench`: scores a judgments file. `--json` prints, for one model (or the one
 * named by `--model`), an object with `score`, `turn_1`, `turn_2`, counts and `categories`; for
 * several models, `{ models: [...] }` with one such object each. Returns the exit code: 0 on
 * success, 2 on a usage error, 1 on a data error.
 */
export async function runMtbenchCli(
  argv: readonly string[],
  output: CliOutput = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  options: { cwd?: string } = {},
): Promise<number> {
  let values: { judgments?: string; model?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        judgments: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    output.stderr(`${(error as Error).message}\n\n${MTBENCH_CLI_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    output.stdout(`${MTBENCH_CLI_USAGE}\n`);
    return 0;
  }
  if (!values.judgments) {
    output.stderr(`Missing --judgments <file.jsonl>.\n\n${MTBENCH_CLI_USAGE}\n`);
    return 2;
  }
  try {
    let text: string;
    try {
      text = await readFile(resolve(options.cwd ?? process.cwd(), values.judgments), 'utf8');
    } catch (error) {
      throw new MtBenchError('MTBENCH_BAD_JUDGMENTS', `Cannot read ${values.judgments}: ${(error as Error).message}`, { cause: error });
    }
    let summaries = scoreJudgments(parseJudgmentLines(text, values.judgments, parseRating));
    if (summaries.length === 0) throw new MtBenchError('MTBENCH_BAD_JUDGMENTS', `${values.judgments} holds no judgments.`);
    if (values.model !== undefined) {
      summaries = summaries.filter((summary) => summary.model === values.model);
      if (summaries.length === 0) throw new MtBenchError('MTBENCH_BAD_JUDGMENTS', `${values.judgments} has no judgments of model "${values.model}".`);
    }
    if (values.json) {
      output.stdout(`${JSON.stringify(summaries.length === 1 ? summaries[0] : { models: summaries }, null, 2)}\n`);
    } else {
      output.stdout(table(summaries));
    }
    return 0;
  } catch (error) {
    if (error instanceof MtBenchError) {
      output.stderr(`error ${error.reason}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
