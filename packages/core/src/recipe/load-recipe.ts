import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DistillError } from '../errors/distill-error';
import { InvalidRecipeError, type RecipeIssue } from '../errors/invalid-recipe-error';
import { loadPlugins } from '../plugin/load-plugins';
import { hashJson } from '../util/canonical-json';
import { checkRecipe } from './check-recipe';
import { findSecrets } from './find-secrets';
import { formatPath, parseRecipeText, type ParsedRecipeText } from './parse-recipe-text';
import { RECIPE_KEYS, recipeSchema, type Recipe } from './recipe-schema';
import type { ResolvedDataset, ResolvedRecipe } from './resolved-recipe';

export interface LoadRecipeOptions {
  /** Folders to look plugin packages up from after the recipe's folder (default: cwd, core's location). */
  searchFrom?: readonly string[];
}

function allowedKeys(path: ReadonlyArray<PropertyKey>): string[] | undefined {
  if (path.length === 0) return RECIPE_KEYS.recipe;
  if (path.length === 2 && path[0] === 'stages') return RECIPE_KEYS.stage;
  if (path.length === 2 && path[0] === 'components') return RECIPE_KEYS.component;
  if (path.length === 2 && path[0] === 'datasets') return RECIPE_KEYS.dataset;
  if (path.length === 2 && path[0] === 'exports') return RECIPE_KEYS.export;
  return undefined;
}

function collector(parsed: ParsedRecipeText | undefined) {
  const issues: RecipeIssue[] = [];
  const report = (path: Array<string | number>, message: string) => {
    const line = parsed?.lineOf(path);
    issues.push({ path: formatPath(path), message: line === undefined ? message : `${message} (line ${line})` });
  };
  return { issues, report };
}

/** Pass one: the recipe's shape (zod), unknown keys with the allowed ones, and inline secrets. */
export function checkStructure(value: unknown, report: (path: Array<string | number>, message: string) => void): Recipe | undefined {
  for (const secret of findSecrets(value)) {
    report(secret.path, `${secret.reason}: secrets never go in a recipe; use an environment variable (apiKeyEnv: MY_API_KEY)`);
  }
  const result = recipeSchema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path as Array<string | number>;
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(path);
      for (const key of issue.keys) report([...path, key], `unknown key "${key}"${allowed ? `; allowed: ${allowed.join(', ')}` : ''}`);
    } else {
      report(path, issue.message.replace(/^Invalid input: /, ''));
    }
  }
  return undefined;
}

/**
 * Reads a recipe (YAML or JSON), validates its structure, loads its plugins, validates every
 * component's options and the data flow, and returns it resolved. Every problem found is reported
 * at once in one InvalidRecipeError; a plugin that is missing or broken throws its own error.
 */
export async function loadRecipe(file: string, options: LoadRecipeOptions = {}): Promise<ResolvedRecipe> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DistillError({ code: 'USAGE', message: `Cannot read recipe ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, cause: error });
  }
  const { parsed, issues: syntaxIssues } = parseRecipeText(text, path);
  if (!parsed) throw new InvalidRecipeError({ file: path, issues: syntaxIssues });
  const { issues, report } = collector(parsed);
  const recipe = checkStructure(parsed.value, report);
  if (!recipe || issues.length > 0) throw new InvalidRecipeError({ file: path, issues });

  const directory = dirname(path);
  const { catalog, plugins } = await loadPlugins(recipe.plugins, { baseDirectory: directory, searchFrom: options.searchFrom });
  const { components, stages } = checkRecipe(recipe, catalog, directory, report);
  if (issues.length > 0) throw new InvalidRecipeError({ file: path, issues });

  const datasets = new Map<string, ResolvedDataset>();
  for (const [name, dataset] of Object.entries(recipe.datasets)) {
    datasets.set(name, { name, path: resolve(directory, dataset.path), format: dataset.format });
  }
  return { file: path, directory, hash: hashJson(recipe), recipe, catalog, plugins, components, datasets, stages };
}
