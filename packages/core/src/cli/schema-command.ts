import { recipeJsonSchema } from '../recipe/recipe-schema';
import { writeLine, type CliIo } from './cli-io';
import { parseArguments } from './parse-arguments';

export const SCHEMA_USAGE = `Usage: easydistill schema

Prints the JSON Schema of the recipe format (generated from core's zod schema), for editors:
  easydistill schema > recipe.schema.json
  # yaml-language-server: $schema=./recipe.schema.json`;

/** `easydistill schema`. */
export async function schemaCommand(argv: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArguments(argv, {}, 'schema');
  if (flags.help || positionals.length > 0) {
    writeLine(flags.help ? io.stdout : io.stderr, SCHEMA_USAGE);
    return flags.help ? 0 : 1;
  }
  writeLine(io.stdout, JSON.stringify(recipeJsonSchema(), null, 2));
  return 0;
}
