import { createRequire } from 'node:module';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { Document, LineCounter } from 'yaml';
import type { RecipeIssue } from '../errors/invalid-recipe-error';

/** A recipe's text parsed, with a way to find the line of any path for error messages. */
export interface ParsedRecipeText {
  value: unknown;
  /** 1-based line of the node at `path` (or of its nearest existing parent). */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** Formats a path as `stages[2].with.temperature`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const key = String(segment);
      text += /^[A-Za-z_$][\w$-]*$/.test(key) ? (text ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}

/** Whether a parsed value reaches some object twice (YAML aliases share objects). */
function hasSharedObjects(value: unknown): boolean {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (seen.has(node)) return true;
    seen.add(node);
    if (Array.isArray(node)) stack.push(...node);
    else stack.push(...Object.values(node));
  }
  return false;
}

/** Full parse with positions (the `yaml` package): line numbers for messages, and syntax errors. */
// Loaded on first use: most validations never need it, and loading it costs more than parsing.
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}

function parseWithPositions(text: string): { document: Document; lineCounter: LineCounter } {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  return { document, lineCounter };
}

function locator(text: string, known?: { document: Document; lineCounter: LineCounter }): ParsedRecipeText['lineOf'] {
  let positions = known;
  return (path) => {
    positions ??= parseWithPositions(text);
    const { document, lineCounter } = positions;
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(path.slice(0, length) as unknown[], true);
      if (yaml().isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/**
 * Parses YAML or JSON (YAML 1.2 core schema; JSON is read as YAML, which keeps positions for
 * messages). The value comes from js-yaml, several times faster than the \`yaml\` package on large
 * recipes; positions are computed with \`yaml\` only when a message needs a line. Anything js-yaml
 * refuses (syntax errors, duplicate keys) and recipes using aliases go through \`yaml\`, whose
 * messages carry lines and which limits alias expansion.
 */
export function parseRecipeText(text: string, file: string): { parsed?: ParsedRecipeText; issues: RecipeIssue[] } {
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (error) {
      return { issues: [{ path: '', message: `not valid JSON: ${(error as Error).message}` }] };
    }
  }
  try {
    const value = loadYaml(text, { schema: CORE_SCHEMA, maxAliases: 1000, filename: file });
    if (!hasSharedObjects(value)) return { issues: [], parsed: { value, lineOf: locator(text) } };
  } catch {
    // Reported below, with lines, by the full parser.
  }
  const positions = parseWithPositions(text);
  const { document, lineCounter } = positions;
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => ({
        path: '',
        message: `${error.message.split('\n')[0]} (line ${lineCounter.linePos(error.pos[0]).line})`,
      })),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // An alias bomb ("billion laughs"): refused rather than expanded.
    return { issues: [{ path: '', message: `${(error as Error).message.split('\n')[0]} (a recipe may expand at most 1000 aliases)` }] };
  }
  return { issues: [], parsed: { value, lineOf: locator(text, positions) } };
}
