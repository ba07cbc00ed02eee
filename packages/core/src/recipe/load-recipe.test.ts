import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DistillError } from '../errors/distill-error';
import { loadRecipe } from './load-recipe';
import { recipeJsonSchema } from './recipe-schema';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const plugin = fileURLToPath(new URL('../__fixtures__/testkit-plugin', import.meta.url));

/** Writes a recipe (YAML body after the common header) into a fresh folder with a seeds file. */
function setup(body: string, header = `apiVersion: easydistill/v1\nname: test\nplugins: ["${plugin}"]\n`) {
  const folder = mkdtempSync(join(tmpdir(), 'easydistill-recipe-'));
  writeFileSync(join(folder, 'seeds.jsonl'), '{"instruction":"a"}\n');
  const file = join(folder, 'recipe.yaml');
  writeFileSync(file, header + body);
  return { file, load: () => loadRecipe(file) };
}

async function failure(promise: Promise<unknown>): Promise<DistillError & { issues?: Array<{ path: string; message: string }> }> {
  const error = await promise.then(
    () => undefined,
    (caught) => caught,
  );
  expect(DistillError.isInstance(error)).toBe(true);
  return error;
}

const teacher = `components:\n  teacher: { use: testkit/echo }\ndatasets:\n  seeds: { path: ./seeds.jsonl }\n`;

describe('loadRecipe', () => {
  it('resolves a valid YAML recipe: components, stages with parsed options, datasets, hash', async () => {
    const recipe = await loadRecipe(join(fixtures, 'minimal.recipe.yaml'));
    expect(recipe.recipe.name).toBe('minimal');
    expect(recipe.stages.map((stage) => [stage.id, stage.entry.id, stage.in, stage.out])).toEqual([
      ['expand', 'testkit/expand', 'seeds', 'instructions'],
      ['answer', 'testkit/respond', 'instructions', 'answered'],
    ]);
    expect(recipe.stages[1].options).toEqual({ teacher: 'teacher', topLogprobs: 0 });
    expect(recipe.components.get('teacher')!.options).toMatchObject({ model: 'echo-2', delayMs: 0 });
    expect(recipe.datasets.get('seeds')!.path).toBe(join(fixtures, 'seeds.jsonl'));
    expect(recipe.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recipe.plugins.map((loaded) => `${loaded.manifest.name}@${loaded.manifest.version}`)).toEqual(['easydistill-plugin-testkit@1.2.3']);
  });

  it('reads JSON recipes too', async () => {
    const recipe = await loadRecipe(join(fixtures, 'minimal.recipe.json'));
    expect(recipe.recipe.name).toBe('minimal-json');
    expect(recipe.recipe.seed).toBe(0);
  });

  it('reports every bad option with its path and line, together', async () => {
    const error = await failure(loadRecipe(join(fixtures, 'bad-options.recipe.yaml')));
    expect(error.code).toBe('INVALID_RECIPE');
    expect(error.issues!.map((issue) => issue.path)).toEqual(['components.teacher.options.delayMs', 'stages[0].with.n', 'stages[1].with.colour']);
    expect(error.message).toContain('stages[0].with.n: expected number, received string (line 15)');
    expect(error.message).toContain('components.teacher.options.delayMs: Too small');
    expect(error.message).toContain('stages[1].with.colour: unknown option "colour"; known options: maxLength, delayMs (line 16)');
    expect(error.message).toContain('(3 problems)');
  });

  it('names an unknown component and lists the known ids', async () => {
    const { load } = setup(`${teacher}stages:\n  - { id: a, use: testkit/nope, in: seeds, out: b }\n`);
    const error = await failure(load());
    expect(error.message).toContain('stages[0].use: unknown component "testkit/nope". Known: testkit/copy, testkit/count, testkit/dedup, testkit/echo, testkit/expand, testkit/folder, testkit/length, testkit/respond.');
    expect(error.message).not.toContain('npm install');
  });

  it('says which package to install for a component of a plugin the recipe does not list', async () => {
    const { load } = setup(`${teacher}stages:
  - { id: a, use: synth/expand, in: seeds, out: b }
  - { id: c, use: acme/thing, in: b, out: d }
`);
    const error = await failure(load());
    expect(error.message).toContain('stages[0].use: unknown component "synth/expand"');
    expect(error.message).toContain('npm install @easydistill/plugin-synth, and add "@easydistill/plugin-synth" to plugins');
    expect(error.message).toContain('stages[1].use: unknown component "acme/thing"');
    expect(error.message).toContain('No plugin in `plugins` has the namespace "acme"');
  });

  it('rejects unknown keys and lists the allowed ones', async () => {
    const { load } = setup(`${teacher}stages:\n  - { id: a, use: testkit/length, in: seeds, out: b, with: { maxLength: 3 }, retries: 2 }\nstagez: []\n`);
    const error = await failure(load());
    expect(error.message).toContain('stagez: unknown key "stagez"; allowed: $schema, apiVersion, name');
    expect(error.message).toContain('stages[0].retries: unknown key "retries"; allowed: id, use, in, out, with, concurrency, description (line 9)');
  });

  it('reports a missing dataset file', async () => {
    const { load } = setup(`datasets:\n  seeds: { path: ./missing.jsonl }\nstages:\n  - { id: a, use: testkit/length, in: seeds, out: b, with: { maxLength: 3 } }\n`);
    const error = await failure(load());
    expect(error.message).toMatch(/datasets\.seeds\.path: dataset file not found: .*missing\.jsonl \(line 5\)/);
  });

  it('reports a stage reading a dataset nothing writes', async () => {
    const { load } = setup(`${teacher}stages:\n  - { id: a, use: testkit/length, in: nowhere, out: b, with: { maxLength: 3 } }\n`);
    const error = await failure(load());
    expect(error.message).toContain('stages[0].in: no dataset "nowhere": it is not under datasets and no stage writes it. Available here: seeds');
  });

  it('reports cycles: reading a later stage\'s output, or its own', async () => {
    const { load } = setup(
      `${teacher}stages:\n  - { id: a, use: testkit/length, in: later, out: b, with: { maxLength: 3 } }\n  - { id: c, use: testkit/length, in: seeds, out: later, with: { maxLength: 3 } }\n  - { id: d, use: testkit/length, in: self, out: self, with: { maxLength: 3 } }\n`,
    );
    const error = await failure(load());
    expect(error.message).toContain('stages[0].in: "later" is written by stage "c" (stages[1]), which runs later: a cycle');
    expect(error.message).toContain('stages[2].in: stage "d" reads "self", which it writes itself: a cycle');
  });

  it('reports duplicate stage ids and outputs', async () => {
    const { load } = setup(
      `${teacher}stages:\n  - { id: a, use: testkit/length, in: seeds, out: b, with: { maxLength: 3 } }\n  - { id: a, use: testkit/length, in: seeds, out: b, with: { maxLength: 3 } }\n`,
    );
    const error = await failure(load());
    expect(error.message).toContain('stages[1].id: duplicate stage id "a" (also stages[0])');
    expect(error.message).toContain('stages[1].out: "b" is also written by stage "a"');
  });

  it('refuses inline secrets and points at environment variables', async () => {
    const { load } = setup(`components:\n  teacher: { use: testkit/echo, options: { model: sk-abcdefghijklmnopqrstuvwx, apiKey: hunter2 } }\n${teacher.split('\n').slice(2).join('\n')}stages:\n  - { id: a, use: testkit/length, in: seeds, out: b, with: { maxLength: 3 } }\n`);
    const error = await failure(load());
    expect(error.message).toContain('components.teacher.options.model: looks like an API key: secrets never go in a recipe; use an environment variable (apiKeyEnv');
    expect(error.message).toContain('components.teacher.options.apiKey: option "apiKey" holds a literal value');
    expect(error.message).not.toContain('hunter2');
  });

  it('reports an unknown teacher reference with the declared teachers', async () => {
    const { load } = setup(`${teacher}stages:\n  - { id: a, use: testkit/respond, in: seeds, out: b, with: { teacher: techer } }\n`);
    const error = await failure(load());
    expect(error.message).toContain('stages[0].with.teacher: unknown teacher "techer". Teachers under components: teacher');
  });

  it('reports structural errors: wrong apiVersion, bad use string, missing stages', async () => {
    const { load } = setup(`components:\n  t: { use: Echo }\n`, 'apiVersion: distill/v2\nname: x\n');
    const error = await failure(load());
    expect(error.message).toContain('apiVersion: expected "easydistill/v1"');
    expect(error.message).toContain('components.t.use: expected "<namespace>/<id>"');
    expect(error.message).toContain('stages: expected array, received undefined');
  });

  it('reports a YAML syntax error with its line', async () => {
    const { load } = setup(`stages:\n  - { id: a, use: testkit/length\n`);
    const error = await failure(load());
    expect(error.code).toBe('INVALID_RECIPE');
    expect(error.message).toMatch(/line \d+/);
  });

  it('names a plugin that is not installed and how to install it', async () => {
    const { load } = setup(`${teacher}stages:\n  - { id: a, use: x/y, in: seeds, out: b }\n`, 'apiVersion: easydistill/v1\nname: x\nplugins: ["easydistill-plugin-not-installed"]\n');
    const error = await failure(load());
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.message).toContain('unknown plugin "easydistill-plugin-not-installed"');
    expect(error.message).toContain('npm install easydistill-plugin-not-installed');
  });

  it('generates a JSON Schema of the recipe format', () => {
    const schema = recipeJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'name', 'plugins', 'components', 'datasets', 'stages', 'exports']));
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'name', 'stages']));
  });
});
