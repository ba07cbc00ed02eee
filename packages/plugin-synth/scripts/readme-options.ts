/**
 * Regenerates the options tables in packages/plugin-synth/README.md (between the
 * `<!-- options:start -->` and `<!-- options:end -->` markers) from each component's zod schema;
 * descriptions come from the JSDoc comment above each option in the component's source.
 * `src/readme.test.ts` checks the tables against the schemas. Run from the repo root:
 *   npx tsx --conditions=@easydistill/source packages/plugin-synth/scripts/readme-options.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { optionsMarkdown, optionsTable } from '../../core/src/cli/options-table';
import plugin from '../src/index';

const folders = { agent: 'agents', selector: 'selectors', verifier: 'verifiers' } as const;
const shared: Record<string, string> = {
  teacher: 'Teacher reference: a component named under the recipe’s `components`',
  judge: 'Judge teacher reference (a component under `components`)',
  student: 'Student reference (a component under `components`, e.g. a served model)',
  prompt: 'Prompt template file overriding the package default (relative to the recipe folder)',
  temperature: 'Sampling temperature of the teacher calls',
  maxTokens: 'New tokens per teacher call',
  concurrency: 'Judge calls in flight at once',
  system: 'System prompt put before the row’s question',
  stop: 'Stop sequences of the teacher calls',
  metrics: 'Metrics the judge is asked for',
  cdRange: 'Keep only rows whose difficulty is in this inclusive range',
  rvRange: 'Keep only rows whose verbosity is in this inclusive range',
  minChars: 'Fewest characters allowed',
  maxChars: 'Most characters allowed',
  minWords: 'Fewest whitespace-separated words allowed',
  maxWords: 'Most whitespace-separated words allowed',
  caseSensitive: 'Match required and banned phrases case-sensitively',
};

function jsdoc(source: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of source.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+):/g)) {
    const text = match[1]!.split('\n').map((line) => line.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
    if (!found.has(match[2]!)) found.set(match[2]!, text);
  }
  return found;
}

const sections: string[] = [];
for (const definition of plugin.provides) {
  const kind = definition.kind as keyof typeof folders;
  const file = new URL(`../src/${folders[kind]}/${definition.id}-${kind}.ts`, import.meta.url);
  const comments = jsdoc(readFileSync(file, 'utf8'));
  const rows = optionsTable(definition.optionsSchema).map((row) => ({ ...row, description: comments.get(row.name) ?? shared[row.name] ?? '' }));
  sections.push(`### \`${plugin.namespace}/${definition.id}\` (${kind})\n\n${definition.description}.\n\n${optionsMarkdown(rows)}`);
}
const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf('<!-- options:start -->');
const end = readme.indexOf('<!-- options:end -->');
if (start < 0 || end < start) throw new Error(`${readmePath} lacks the <!-- options:start --> / <!-- options:end --> markers`);
writeFileSync(readmePath, `${readme.slice(0, start)}<!-- options:start -->\n\n${sections.join('\n\n')}\n\n${readme.slice(end)}`);
console.log(`${sections.length} option tables written to ${readmePath}`);
