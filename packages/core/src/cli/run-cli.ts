import { DistillError } from '../errors/distill-error';
import { VERSION } from '../version';
import { writeLine, type CliIo } from './cli-io';
import { initCommand } from './init-command';
import { installedPlugins } from './installed-plugins';
import { pluginsCommand } from './plugins-command';
import { reportCommand } from '../report/report-command';
import { runCommand } from './run-command';
import { schemaCommand } from './schema-command';
import { validateCommand } from './validate-command';

const BUILT_IN: Record<string, { summary: string; run: (argv: string[], io: CliIo) => Promise<number> }> = {
  run: { summary: 'run a recipe (resumes where it stopped)', run: runCommand },
  validate: { summary: 'check a recipe without running it', run: validateCommand },
  init: { summary: 'create a recipe folder from a template', run: initCommand },
  plugins: { summary: 'list installed plugins, their components and options', run: pluginsCommand },
  schema: { summary: 'print the JSON Schema of recipes', run: schemaCommand },
  report: { summary: 'write runs/<name>/report.html again from a run folder', run: reportCommand },
};

function usage(pluginCommands: Array<{ name: string; summary: string }>): string {
  const width = Math.max(...[...Object.keys(BUILT_IN), ...pluginCommands.map((command) => command.name)].map((name) => name.length)) + 2;
  return [
    `easydistill ${VERSION}: distil large language models into small ones`,
    '',
    'Usage: easydistill <command> [options]   (easydistill <command> --help for more)',
    '',
    'Commands:',
    ...Object.entries(BUILT_IN).map(([name, command]) => `  ${name.padEnd(width)}${command.summary}`),
    ...(pluginCommands.length > 0 ? ['', 'From plugins:', ...pluginCommands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`)] : []),
    '',
    'Options: --version, --help',
  ].join('\n');
}

async function pluginCommands(io: CliIo) {
  const commands: Array<{ name: string; summary: string; usage: string; plugin: string; run: (argv: string[], io: CliIo) => Promise<number> }> = [];
  for (const plugin of await installedPlugins(io.cwd)) {
    for (const command of plugin.manifest?.commands ?? []) commands.push({ ...command, plugin: plugin.package.name, run: command.run.bind(command) });
  }
  return commands;
}

/**
 * The `easydistill` command line, testable: returns the exit code instead of exiting. A
 * DistillError prints its message alone (exit 1); anything else is a bug and prints its stack (exit 2).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-v' || first === 'version') {
      writeLine(io.stdout, VERSION);
      return 0;
    }
    if (first && BUILT_IN[first]) return await BUILT_IN[first].run(rest, io);
    const commands = first === undefined || first === '--help' || first === '-h' || first === 'help' || !first.startsWith('-') ? await pluginCommands(io) : [];
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      writeLine(first === undefined ? io.stderr : io.stdout, usage(commands));
      return first === undefined ? 1 : 0;
    }
    // Plugin commands may be several words (`eval ifeval`): the longest match wins.
    const match = commands
      .filter((command) => {
        const words = command.name.split(' ');
        return words.every((word, index) => argv[index] === word);
      })
      .sort((left, right) => right.name.split(' ').length - left.name.split(' ').length)[0];
    if (match) {
      const remaining = argv.slice(match.name.split(' ').length);
      if (remaining.includes('--help') || remaining.includes('-h')) {
        if (!remaining.includes('--')) {
          writeLine(io.stdout, `${match.usage}\n\n(from ${match.plugin})`);
          return 0;
        }
      }
      return await match.run(remaining, io);
    }
    const names = [...Object.keys(BUILT_IN), ...commands.map((command) => command.name)];
    throw new DistillError({ code: 'USAGE', message: `Unknown command "${argv.join(' ')}". Commands: ${names.join(', ')}. See easydistill --help.` });
  } catch (error) {
    if (DistillError.isInstance(error)) {
      writeLine(io.stderr, `error: ${error.message}`);
      return 1;
    }
    writeLine(io.stderr, (error as Error)?.stack ?? String(error));
    return 2;
  }
}
