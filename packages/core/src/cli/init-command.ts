import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DistillError } from '../errors/distill-error';
import { coreDirectory } from '../plugin/resolve-package';
import { writeLine, type CliIo } from './cli-io';
import { parseArguments } from './parse-arguments';

export const INIT_USAGE = `Usage: easydistill init [--template <name>] [--force] [dir]

Creates a recipe folder from a template (default "quickstart") in dir (default: the working
directory). Existing files are never overwritten unless --force is given.

  --template <name>  which template (easydistill init --list shows them)
  --list             list the templates
  --force            overwrite existing files`;

/**
 * Folders templates are looked up in, first match wins: $EASYDISTILL_TEMPLATES_DIR; the
 * repository's `templates/` when core runs from a clone (`<repo>/packages/core`), the source of
 * truth there; then the copy shipped inside the package (`templates/`, copied by the build), which
 * is what an npm-installed core has.
 */
export function templateFolders(env: NodeJS.ProcessEnv): string[] {
  const core = coreDirectory();
  const inClone = basename(dirname(core)) === 'packages' && existsSync(join(core, '..', '..', 'package.json'));
  return [env.EASYDISTILL_TEMPLATES_DIR, inClone ? join(core, '..', '..', 'templates') : undefined, join(core, 'templates')].filter(
    (folder): folder is string => typeof folder === 'string' && existsSync(folder),
  );
}

/** Template names available (folders holding a recipe). */
export function listTemplates(env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const folder of templateFolders(env)) {
    for (const name of readdirSync(folder)) if (statSync(join(folder, name)).isDirectory()) names.add(name);
  }
  return [...names].sort();
}

/** `easydistill init`. */
export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArguments(argv, { valued: ['template'], booleans: ['force', 'list'] }, 'init');
  if (flags.help || positionals.length > 1) {
    writeLine(flags.help ? io.stdout : io.stderr, INIT_USAGE);
    return flags.help ? 0 : 1;
  }
  const templates = listTemplates(io.env);
  if (flags.list) {
    writeLine(io.stdout, templates.join('\n') || '(no templates installed)');
    return 0;
  }
  const name = typeof flags.template === 'string' ? flags.template : 'quickstart';
  const source = templateFolders(io.env)
    .map((folder) => join(folder, name))
    .find((folder) => existsSync(folder));
  if (!source) {
    throw new DistillError({ code: 'USAGE', message: `init: no template "${name}". Available: ${templates.join(', ') || '(none installed)'}` });
  }
  const target = resolve(io.cwd, positionals[0] ?? '.');
  const conflicts = readdirSync(source).filter((entry) => existsSync(join(target, entry)));
  if (conflicts.length > 0 && !flags.force) {
    throw new DistillError({ code: 'USAGE', message: `init: ${target} already has ${conflicts.join(', ')}. Choose an empty folder or pass --force.` });
  }
  cpSync(source, target, { recursive: true, force: true });
  const recipe = readdirSync(source).find((entry) => /\.(ya?ml|json)$/.test(entry) && entry.includes('recipe')) ?? readdirSync(source).find((entry) => /\.ya?ml$/.test(entry));
  writeLine(io.stdout, `Created ${target} from template "${name}".${recipe ? ` Next: easydistill run ${join(positionals[0] ?? '.', recipe)}` : ''}`);
  return 0;
}
