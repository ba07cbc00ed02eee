import type { CommandIoV1 } from '@easydistill/core';
import { DistillError } from '@easydistill/core';
import { isAbsolute, resolve } from 'node:path';
import { readIfevalInputData } from '../read-input-data';
import { readIfevalResponses } from '../read-responses';
import { scoreIfeval } from '../score-ifeval';

/** Usage line of `easydistill eval ifeval`. */
export const IFEVAL_CLI_USAGE = 'easydistill eval ifeval --responses <input_response_data.jsonl> [--input-data <input_data.jsonl>] [--json]';

function parseArguments(argv: readonly string[]): { responses?: string; inputData?: string; json: boolean; help: boolean } {
  const parsed: { responses?: string; inputData?: string; json: boolean; help: boolean } = { json: false, help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    const [flag, inline] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    const value = (): string => {
      const given = inline ?? argv[(index += 1)];
      if (given === undefined || given === '') throw new DistillError({ code: 'USAGE', message: `${flag} needs a value. Usage: ${IFEVAL_CLI_USAGE}` });
      return given;
    };
    if (flag === '--responses') parsed.responses = value();
    else if (flag === '--input-data') parsed.inputData = value();
    else if (flag === '--json') parsed.json = true;
    else if (flag === '--help' || flag === '-h') parsed.help = true;
    else throw new DistillError({ code: 'USAGE', message: `Unknown argument "${argument}". Usage: ${IFEVAL_CLI_USAGE}` });
  }
  return parsed;
}

const percent = (value: number): string => `${(value * 100).toFixed(2)}%`;

/**
 * `easydistill eval ifeval`: scores responses in the official format (`{"prompt", "response"}`
 * per line) against the 541 IFEval prompts (or `--input-data`) and prints prompt- and
 * instruction-level strict and loose accuracy; with `--json`, one object with
 * `prompt_level_strict_acc`, `inst_level_strict_acc`, `prompt_level_loose_acc`,
 * `inst_level_loose_acc` as fractions. Returns the exit code (0 ok, 2 usage error, 1 bad input).
 */
export async function runIfevalCli(argv: string[], io: Pick<CommandIoV1, 'stdout' | 'stderr'> & Partial<Pick<CommandIoV1, 'cwd'>> = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const parsed = parseArguments(argv);
    if (parsed.help) {
      io.stdout.write(`${IFEVAL_CLI_USAGE}\n`);
      return 0;
    }
    if (!parsed.responses) throw new DistillError({ code: 'USAGE', message: `Missing --responses. Usage: ${IFEVAL_CLI_USAGE}` });
    const cwd = io.cwd ?? process.cwd();
    const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
    const inputs = await readIfevalInputData(parsed.inputData === undefined ? undefined : absolute(parsed.inputData));
    const responses = await readIfevalResponses(absolute(parsed.responses));
    const { summary } = scoreIfeval(inputs, responses);
    if (parsed.json) {
      const { prompt_level_strict_acc, inst_level_strict_acc, prompt_level_loose_acc, inst_level_loose_acc } = summary;
      io.stdout.write(`${JSON.stringify({ prompt_level_strict_acc, inst_level_strict_acc, prompt_level_loose_acc, inst_level_loose_acc })}\n`);
    } else {
      const line = (label: string, accuracy: { correct: number; total: number; accuracy: number }): string =>
        `${label.padEnd(26)} ${percent(accuracy.accuracy).padStart(7)}  (${accuracy.correct}/${accuracy.total})\n`;
      io.stdout.write(
        line('prompt-level strict', summary.strict.prompt_level) +
          line('instruction-level strict', summary.strict.instruction_level) +
          line('prompt-level loose', summary.loose.prompt_level) +
          line('instruction-level loose', summary.loose.instruction_level),
      );
    }
    return 0;
  } catch (error) {
    if (!DistillError.isInstance(error)) throw error;
    io.stderr.write(`error: ${error.message}\n`);
    return error.code === 'USAGE' ? 2 : 1;
  }
}
