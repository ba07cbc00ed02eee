import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DistillError } from '../errors/distill-error';
import { writeLine, type CliIo } from '../cli/cli-io';
import { parseArguments } from '../cli/parse-arguments';
import { writeRunReportHtml } from './write-run-report';

export const REPORT_USAGE = `Usage: easydistill report <runDir>

Writes <runDir>/report.html again from the run folder (the runner writes it at the end of every
run): data funnel, training curves, evaluation, cost and token usage, provenance. One file, no
network access; open it in a browser.
  easydistill report runs/my-recipe`;

/** `easydistill report <runDir>`. */
export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArguments(argv, {}, 'report');
  if (flags.help || positionals.length !== 1) {
    writeLine(flags.help ? io.stdout : io.stderr, REPORT_USAGE);
    return flags.help ? 0 : 1;
  }
  const runDir = resolve(io.cwd, positionals[0]!);
  if (!existsSync(join(runDir, 'run.json'))) {
    throw new DistillError({ code: 'USAGE', message: `report: ${runDir} is not a run folder (no run.json); pass runs/<recipe name>.` });
  }
  writeLine(io.stdout, await writeRunReportHtml(runDir));
  return 0;
}
