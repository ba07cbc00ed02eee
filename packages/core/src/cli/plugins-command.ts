import { writeLine, type CliIo } from './cli-io';
import { installedPlugins } from './installed-plugins';
import { optionsTable } from './options-table';
import { parseArguments } from './parse-arguments';

export const PLUGINS_USAGE = `Usage: easydistill plugins [--json]

Lists the installed plugins (packages with the keyword "easydistill-plugin", or named
@easydistill/plugin-*), every component they provide with its options, and the commands they add.`;

function formatDefault(value: unknown): string {
  return value === undefined ? '' : ` = ${JSON.stringify(value)}`;
}

/** `easydistill plugins`. */
export async function pluginsCommand(argv: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArguments(argv, { booleans: ['json'] }, 'plugins');
  if (flags.help || positionals.length > 0) {
    writeLine(flags.help ? io.stdout : io.stderr, PLUGINS_USAGE);
    return flags.help ? 0 : 1;
  }
  const plugins = await installedPlugins(io.cwd);
  if (flags.json) {
    const data = plugins.map((plugin) => ({
      name: plugin.package.name,
      version: plugin.package.version,
      directory: plugin.package.directory,
      error: plugin.error,
      namespace: plugin.manifest?.namespace,
      components: plugin.manifest?.provides.map((component) => ({
        id: `${plugin.manifest!.namespace}/${component.id}`,
        kind: component.kind,
        description: component.description,
        options: optionsTable(component.optionsSchema),
      })),
      commands: plugin.manifest?.commands?.map((command) => ({ name: command.name, summary: command.summary })),
    }));
    writeLine(io.stdout, JSON.stringify(data, null, 2));
    return 0;
  }
  if (plugins.length === 0) {
    writeLine(io.stdout, 'No plugins installed. Install one, e.g.: npm install @easydistill/plugin-synth');
    return 0;
  }
  for (const plugin of plugins) {
    writeLine(io.stdout, `${plugin.package.name}@${plugin.package.version}${plugin.manifest ? `  (namespace ${plugin.manifest.namespace})` : ''}`);
    if (plugin.error) {
      writeLine(io.stdout, `  cannot load: ${plugin.error.split('\n').join('\n  ')}`);
      writeLine(io.stdout);
      continue;
    }
    for (const component of plugin.manifest!.provides) {
      writeLine(io.stdout, `  ${plugin.manifest!.namespace}/${component.id}  [${component.kind}]${component.description ? `  ${component.description}` : ''}`);
      for (const option of optionsTable(component.optionsSchema)) {
        writeLine(io.stdout, `      ${option.name}${option.required ? '' : '?'}: ${option.type}${formatDefault(option.default)}${option.description ? `  ${option.description}` : ''}`);
      }
    }
    for (const command of plugin.manifest!.commands ?? []) writeLine(io.stdout, `  command: easydistill ${command.name}  ${command.summary}`);
    writeLine(io.stdout);
  }
  return 0;
}
