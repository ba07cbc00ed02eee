import { ProgressReporter } from '../progress/progress-reporter';
import { loadRecipe } from '../recipe/load-recipe';
import { runRecipe } from '../runner/run-recipe';
import { writeLine, type CliIo } from './cli-io';
import { parseArguments } from './parse-arguments';

export const RUN_USAGE = `Usage: easydistill run <recipe> [--run-dir <dir>] [--json]

Runs a recipe. The run folder (default runs/<name>/ under the working directory) holds each
stage's output, rejected rows, metrics, state and provenance. Running again skips finished
stages and resumes an unfinished one from its last committed row; teacher answers come from the
request cache, so nothing is paid for twice.

  --run-dir <dir>  the run folder to use
  --json           machine-readable NDJSON events on stdout (run-start, stage-start, progress, stage-end, run-end)`;

/** `easydistill run`. */
export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArguments(argv, { valued: ['run-dir'], booleans: ['json'] }, 'run');
  if (flags.help || positionals.length !== 1) {
    writeLine(flags.help ? io.stdout : io.stderr, RUN_USAGE);
    return flags.help ? 0 : 1;
  }
  const json = flags.json === true;
  const reporter = new ProgressReporter({ mode: json ? 'json' : io.isTerminal ? 'tty' : 'plain', output: json ? io.stdout : io.stderr });
  const recipe = await loadRecipe(positionals[0]);
  const summary = await runRecipe(recipe, {
    cwd: io.cwd,
    runDir: typeof flags['run-dir'] === 'string' ? flags['run-dir'] : undefined,
    reporter,
    signal: io.signal,
    env: io.env,
  });
  if (!json) {
    for (const stage of summary.stages) {
      writeLine(io.stdout, `${stage.status === 'skipped' ? '-' : '✓'} ${stage.id}: ${stage.rowsIn} in, ${stage.rowsOut} out, ${stage.rowsRejected} rejected${stage.status === 'skipped' ? ' (finished earlier)' : ''}`);
    }
    writeLine(io.stdout, `Run folder: ${summary.runDir}`);
  }
  return 0;
}
