import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DistillError, type RunContextV1 } from '@easydistill/core';
import { packageRoot } from './package-root';

/** A loaded prompt template: `{{name}}` placeholders filled by `render`. */
export interface PromptTemplate {
  /** Where it came from (shown in errors). */
  source: string;
  text: string;
  render(values: Record<string, string | number>): string;
}

/**
 * Loads a prompt template: the file the recipe names (`with.prompt`, resolved against the recipe
 * folder) or the package's default `prompts/<name>`. Checks up front that every placeholder the
 * template uses is one the component fills, so a typo fails before any teacher call.
 */
export function loadPrompt(options: {
  name: string;
  override?: string;
  context: Pick<RunContextV1, 'recipeDir'>;
  allowed: readonly string[];
  optionPath?: string;
}): PromptTemplate {
  const { name, override, context, allowed } = options;
  const optionPath = options.optionPath ?? 'with.prompt';
  const source = override ? (isAbsolute(override) ? override : resolve(context.recipeDir, override)) : join(packageRoot(), 'prompts', name);
  if (!existsSync(source)) {
    throw new DistillError({
      code: 'INVALID_RECIPE',
      message: override
        ? `${optionPath}: prompt template ${source} does not exist (relative paths resolve against the recipe folder ${context.recipeDir}).`
        : `@easydistill/plugin-synth: default prompt ${source} is missing from the package; reinstall it.`,
    });
  }
  const text = readFileSync(source, 'utf8');
  const used = [...text.matchAll(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g)].map((match) => match[1]!);
  const unknown = [...new Set(used.filter((key) => !allowed.includes(key)))];
  if (unknown.length > 0) {
    throw new DistillError({
      code: 'INVALID_RECIPE',
      message: `${optionPath}: prompt template ${source} uses unknown placeholder(s) ${unknown.map((key) => `{{${key}}}`).join(', ')}; this component fills ${allowed.map((key) => `{{${key}}}`).join(', ')}.`,
    });
  }
  return {
    source,
    text,
    render(values) {
      return text.replace(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g, (_, key: string) => String(values[key] ?? ''));
    },
  };
}
