import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DistillError, readDataset, type CommandIoV1, type PluginCommandV1 } from '@easydistill/core';
import { writePreferenceJsonl, type PreferenceFormat } from './preference-formats';

const FORMATS: readonly PreferenceFormat[] = ['alpaca', 'sharegpt', 'openai'];
const USAGE = `easydistill synth preferences <pairs.jsonl> <out.jsonl> [--format alpaca|sharegpt|openai]

Writes the preference pairs of a synth/dpo-pairs stage (runs/<name>/stages/<id>/output.jsonl, rows
with "chosen" and "rejected") in a trainer's layout: alpaca (LLaMA-Factory ranking columns
instruction/input/chosen/rejected), sharegpt (conversations + chosen/rejected messages) or openai
(messages + chosen/rejected assistant turns). Default: alpaca. trainer-tfjs/dpo reads the stage
output directly.`;

/** `easydistill synth preferences`: exports DPO pairs in the common preference formats. */
export const preferencesCommand: PluginCommandV1 = {
  name: 'synth preferences',
  summary: 'Export synth/dpo-pairs output as Alpaca / ShareGPT / OpenAI preference JSONL',
  usage: USAGE,
  async run(argv: string[], io: CommandIoV1): Promise<number> {
    const positionals: string[] = [];
    let format: PreferenceFormat = 'alpaca';
    for (let index = 0; index < argv.length; index++) {
      const argument = argv[index]!;
      if (argument === '--format' || argument.startsWith('--format=')) {
        const value = argument.includes('=') ? argument.slice('--format='.length) : argv[++index];
        if (!value || !FORMATS.includes(value as PreferenceFormat)) throw new DistillError({ code: 'USAGE', message: `synth preferences: --format must be one of ${FORMATS.join(', ')} (got ${value ?? 'nothing'})` });
        format = value as PreferenceFormat;
      } else if (argument.startsWith('--')) {
        throw new DistillError({ code: 'USAGE', message: `synth preferences: unknown option ${argument}. Known: --format <alpaca|sharegpt|openai>` });
      } else positionals.push(argument);
    }
    if (positionals.length !== 2) throw new DistillError({ code: 'USAGE', message: `synth preferences: expected <pairs.jsonl> <out.jsonl>, got ${positionals.length} argument(s).\n\n${USAGE}` });
    const [input, output] = positionals.map((path) => resolve(io.cwd, path)) as [string, string];
    if (!existsSync(input)) throw new DistillError({ code: 'USAGE', message: `synth preferences: ${input} does not exist` });
    const count = await writePreferenceJsonl(readDataset(input, { name: input, format: 'auto' }), output, format);
    io.stdout.write(`${count} preference pairs → ${output} (${format})\n`);
    return 0;
  },
};
