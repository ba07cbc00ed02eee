import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
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

/**
 * Parses YAML or JSON (JSON is read as YAML 1.2, which keeps positions for messages). Syntax
 * errors come back as issues with their line.
 */
export function parseRecipeText(text: string, file: string): { parsed?: ParsedRecipeText; issues: RecipeIssue[] } {
  const lineCounter = new LineCounter();
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch (error) {
      return { issues: [{ path: '', message: `not valid JSON: ${(error as Error).message}` }] };
    }
  }
  const document: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => ({
        path: '',
        message: `${error.message.split('\n')[0]} (line ${lineCounter.linePos(error.pos[0]).line})`,
      })),
    };
  }
  const value = document.toJS({ maxAliasCount: 1000 });
  return {
    issues: [],
    parsed: {
      value,
      lineOf(path) {
        for (let length = path.length; length >= 0; length -= 1) {
          const node = document.getIn(path.slice(0, length) as unknown[], true);
          if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
        }
        return undefined;
      },
    },
  };
}
