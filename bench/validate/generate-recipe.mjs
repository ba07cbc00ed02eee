// Writes a recipe with N stages (default 1,000) to a folder: a chain over the test plugin that
// ships with core's tests, alternating the four row-wise and selector components so every stage's
// options are validated against its own schema and every stage reads the previous one's output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const plugin = fileURLToPath(new URL('../../packages/core/src/__fixtures__/testkit-plugin', import.meta.url));

export function generateRecipe(folder, stages = 1000) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'seeds.jsonl'), '{"instruction":"Say hello."}\n');
  const lines = [
    'apiVersion: easydistill/v1',
    `name: bench-${stages}`,
    'seed: 1',
    `plugins: [${JSON.stringify(relative(folder, plugin) || '.')}]`,
    'components:',
    '  teacher: { use: testkit/echo, options: { model: echo-bench, delayMs: 0 } }',
    'datasets:',
    '  seeds: { path: ./seeds.jsonl, format: alpaca }',
    'stages:',
  ];
  let input = 'seeds';
  for (let index = 0; index < stages; index += 1) {
    const out = `d${index}`;
    const kind = index % 4;
    const use = ['testkit/expand', 'testkit/dedup', 'testkit/respond', 'testkit/length'][kind];
    const options = [
      '{ teacher: teacher, n: 2 }',
      '{ field: instruction }',
      '{ teacher: teacher, topLogprobs: 0 }',
      `{ maxLength: ${100 + index} }`,
    ][kind];
    lines.push(`  - id: s${index}`, `    use: ${use}`, `    in: ${input}`, `    out: ${out}`, `    with: ${options}`);
    input = out;
  }
  lines.push('exports:', `  final: { from: ${input}, path: ./final.jsonl, format: alpaca }`, '');
  const file = join(folder, 'recipe.yaml');
  writeFileSync(file, lines.join('\n'));
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = process.argv[2] ?? 'tmp';
  const stages = Number(process.argv[3] ?? 1000);
  console.log(generateRecipe(folder, stages));
}
