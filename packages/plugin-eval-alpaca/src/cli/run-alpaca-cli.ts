import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAlpacaEvalData } from '../data/load-alpaca-eval-data';
import { AlpacaEvalError } from '../errors';
import { scoreAnnotations, toAnnotations } from '../metrics/score-annotations';

/** Where the CLI writes; tests pass collectors, the real CLI the process streams. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Usage text of `easydistill eval alpaca`. */
export const ALPACA_CLI_USAGE = `Usage: easydistill eval alpaca --annotations <annotations.json> [--json]
  [--data-dir <folder>] [--hub-url <url>] [--cache-dir <folder>] [--revision <rev>] [--c <number|cv>]

Scores official AlpacaEval 2.0 annotations (alpaca_eval annotations.json, one model against the
gpt4_1106_preview baseline, rows in eval-set order): win rate, standard error and the
length-controlled win rate. The GLM's auxiliary data (df_gamed.csv) is read from --data-dir, or
downloaded from the Hugging Face dataset tatsu-lab/alpaca_eval into the HF cache.`;

function formatNumber(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/**
 * `easydistill eval alpaca`: scores an annotations file. `--json` prints an object with `win_rate`,
 * `standard_error` and `length_controlled_winrate` (percentages) plus the other leaderboard fields.
 * Returns the exit code: 0 on success, 2 on a usage error, 1 on a data error.
 */
export async function runAlpacaCli(
  argv: readonly string[],
  output: CliOutput = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  options: { cwd?: string } = {},
): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const pathOf = (value: unknown) => (typeof value === 'string' ? (isAbsolute(value) ? value : resolve(cwd, value)) : undefined);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        annotations: { type: 'string' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'hub-url': { type: 'string' },
        'cache-dir': { type: 'string' },
        revision: { type: 'string' },
        c: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    output.stderr(`${(error as Error).message}\n\n${ALPACA_CLI_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    output.stdout(`${ALPACA_CLI_USAGE}\n`);
    return 0;
  }
  if (typeof values.annotations !== 'string') {
    output.stderr(`Missing --annotations <annotations.json>.\n\n${ALPACA_CLI_USAGE}\n`);
    return 2;
  }
  let c: number | 'cv' = 'cv';
  if (typeof values.c === 'string' && values.c !== 'cv') {
    c = Number(values.c);
    if (!(c > 0)) {
      output.stderr(`--c must be a positive number or "cv", got "${values.c}".\n`);
      return 2;
    }
  }
  try {
    const path = pathOf(values.annotations) as string;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new AlpacaEvalError('ALPACA_BAD_ANNOTATIONS', `Cannot read ${path} as JSON: ${(error as Error).message}`, { cause: error });
    }
    const annotations = toAnnotations(parsed, path);
    const data = await loadAlpacaEvalData({
      localPath: pathOf(values['data-dir']),
      hubUrl: values['hub-url'] as string | undefined,
      cacheDir: pathOf(values['cache-dir']),
      revision: values.revision as string | undefined,
      onProgress: (line) => output.stderr(`${line}\n`),
    });
    const summary = scoreAnnotations(annotations, data, { c });
    if (values.json) {
      output.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      output.stdout(
        [
          `annotations           ${path} (${summary.n_total} rows)`,
          `win rate              ${formatNumber(summary.win_rate)} % (SE ${formatNumber(summary.standard_error)})`,
          `length-controlled     ${formatNumber(summary.length_controlled_winrate)} % (SE ${formatNumber(summary.lc_standard_error)}, C ${formatNumber(summary.glm_c, 4)})`,
          `discrete win rate     ${formatNumber(summary.discrete_win_rate)} %`,
          `wins / losses / draws ${summary.n_wins} / ${summary.n_wins_base} / ${summary.n_draws}`,
          `average length        ${summary.avg_length}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof AlpacaEvalError) {
      output.stderr(`error ${error.reason}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
