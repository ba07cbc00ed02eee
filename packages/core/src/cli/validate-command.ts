import { loadRecipe } from '../recipe/load-recipe';
import { writeLine, type CliIo } from './cli-io';
import { parseArguments } from './parse-arguments';

export const VALIDATE_USAGE = `Usage: easydistill validate <recipe> [--json]

Checks a recipe without running it: its structure, every component's options against the
component's own schema, the data flow between stages, dataset files and secrets. All problems
are reported at once, each with its path (stages[2].with.temperature) and line.`;

/** `easydistill validate`. */
export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseArguments(argv, { booleans: ['json'] }, 'validate');
  if (flags.help || positionals.length !== 1) {
    writeLine(flags.help ? io.stdout : io.stderr, VALIDATE_USAGE);
    return flags.help ? 0 : 1;
  }
  const started = performance.now();
  const recipe = await loadRecipe(positionals[0]);
  const milliseconds = performance.now() - started;
  const plugins = recipe.plugins.map((plugin) => `${plugin.manifest.name}@${plugin.manifest.version}`);
  if (flags.json) {
    writeLine(io.stdout, JSON.stringify({ valid: true, file: recipe.file, name: recipe.recipe.name, stages: recipe.stages.length, plugins, hash: recipe.hash, milliseconds }));
  } else {
    writeLine(io.stdout, `✓ ${recipe.file} is valid: "${recipe.recipe.name}", ${recipe.stages.length} stage${recipe.stages.length === 1 ? '' : 's'}, plugins: ${plugins.join(', ') || 'none'}`);
  }
  return 0;
}
