// The `easydistill` command as a user runs it (a child process, stdout/stderr pipes, not a TTY):
// --version, --help on every command, schema, init from templates, validate, run with plain log
// lines and with --json events, a second run making 0 teacher calls, and one-line errors.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runCli } from './support/core-cli';

const pluginPath = fileURLToPath(new URL('./__fixtures__/slow-plugin', import.meta.url));
const corePackage = JSON.parse(readFileSync(new URL('../packages/core/package.json', import.meta.url), 'utf8')) as { version: string };
let cli: string;
let root: string;

function project(name: string, options: { counter?: string; plugins?: string; stages?: string } = {}): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'seeds.jsonl'), Array.from({ length: 6 }, (_, index) => JSON.stringify({ instruction: `seed ${index}` })).join('\n') + '\n');
  writeFileSync(
    join(folder, 'recipe.yaml'),
    `apiVersion: easydistill/v1
name: ${name}
plugins: [${options.plugins ?? JSON.stringify(pluginPath)}]
components:
  teacher: { use: slow/echo, options: { delayMs: 1${options.counter ? `, counterFile: ${JSON.stringify(options.counter)}` : ''} } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
${options.stages ?? `  - { id: shout, use: slow/shout, in: seeds, out: shouted, with: { teacher: teacher } }
  - { id: answer, use: slow/answer, in: shouted, out: answered, with: { delayMs: 1 } }`}
`,
  );
  return folder;
}

const run = (argv: string[], cwd = root, env: NodeJS.ProcessEnv = {}) => runCli(cli, argv, { cwd, env });
const countLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

beforeAll(async () => {
  cli = await bundleCli();
  root = mkdtempSync(join(tmpdir(), 'easydistill-cli-'));
});

afterAll(() => {
  rmSync(cli, { force: true });
  rmSync(root, { recursive: true, force: true });
});

describe('easydistill CLI', () => {
  it('prints its version, its help, and help for every command', async () => {
    for (const flag of ['--version', '-v']) {
      const version = await run([flag]);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(corePackage.version);
    }
    // These discover and import every installed plugin (for the commands plugins add): run them at once.
    const [help, unknown] = await Promise.all([run(['--help']), run(['frobnicate'])]);
    expect(help.code).toBe(0);
    for (const command of ['run', 'validate', 'init', 'plugins', 'schema']) expect(help.stdout).toContain(`  ${command} `);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^error: Unknown command "frobnicate"\. Commands: run, validate, init, plugins/);
    const badFlag = await run(['validate', '--colour', 'x.yaml']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toContain('validate: unknown option --colour. Known: --json, --help');
    const commands = ['run', 'validate', 'init', 'plugins', 'schema'];
    const helps = await Promise.all(commands.map((command) => run([command, '--help'])));
    helps.forEach((result, index) => {
      expect(result.code, commands[index]).toBe(0);
      expect(result.stdout, commands[index]).toContain(`Usage: easydistill ${commands[index]}`);
    });
  });

  it('prints the recipe JSON Schema', async () => {
    const result = await run(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.title).toBe('EasyDistill recipe');
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'name', 'stages']));
    expect(schema.properties.stages.items.properties).toHaveProperty('use');
  });

  it('creates a recipe folder from a template, refusing to overwrite without --force', async () => {
    const templates = join(root, 'templates');
    mkdirSync(join(templates, 'demo', 'data'), { recursive: true });
    writeFileSync(join(templates, 'demo', 'recipe.yaml'), 'apiVersion: easydistill/v1\nname: demo\n');
    writeFileSync(join(templates, 'demo', 'data', 'seeds.jsonl'), '{"instruction":"hi"}\n');
    const env = { EASYDISTILL_TEMPLATES_DIR: templates };
    const list = await run(['init', '--list'], root, env);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toContain('demo');
    const created = await run(['init', '--template', 'demo', 'my-project'], root, env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Next: easydistill run my-project/recipe.yaml');
    expect(readFileSync(join(root, 'my-project', 'data', 'seeds.jsonl'), 'utf8')).toBe('{"instruction":"hi"}\n');
    writeFileSync(join(root, 'my-project', 'recipe.yaml'), 'mine');
    const again = await run(['init', '--template', 'demo', 'my-project'], root, env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has data, recipe.yaml');
    expect(readFileSync(join(root, 'my-project', 'recipe.yaml'), 'utf8')).toBe('mine');
    const forced = await run(['init', '--template', 'demo', '--force', 'my-project'], root, env);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(root, 'my-project', 'recipe.yaml'), 'utf8')).toContain('name: demo');
    const missing = await run(['init', '--template', 'nope', 'x'], root, env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: init: no template "nope"\. Available: .*demo/);
  });

  it('ships the repository templates with the package: init --list shows quickstart', async () => {
    // templates/ at the repository root is copied into packages/core/templates by the build and
    // looked up there (npm-installed core) or at the repository root (a clone).
    const list = await run(['init', '--list']);
    expect(list.code).toBe(0);
    if (existsSync(fileURLToPath(new URL('../templates/quickstart', import.meta.url)))) expect(list.stdout.split('\n')).toContain('quickstart');
  });

  it('validates a recipe, and lists plugins with their options', async () => {
    const folder = project('valid');
    const text = await run(['validate', 'recipe.yaml'], folder);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('is valid: "valid", 2 stages, plugins: easydistill-plugin-slow@0.0.1');
    const json = await run(['validate', 'recipe.yaml', '--json'], folder);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, stages: 2, plugins: ['easydistill-plugin-slow@0.0.1'] });
    // Every installed plugin is listed with its components' options; one that cannot load is shown
    // with its error and the listing goes on (this crashed on tuple options before).
    const plugins = await run(['plugins'], root);
    expect(plugins.code, plugins.stderr).toBe(0);
    expect(plugins.stderr).toBe('');
    if (plugins.stdout.includes('synth/difficulty  [selector]')) expect(plugins.stdout).toContain('rvRange?: [number, number]');
  });

  it('runs with plain log lines when stderr is not a terminal, and a second run makes 0 teacher calls', async () => {
    const counter = join(root, 'plain-calls.txt');
    const folder = project('plain', { counter });
    const first = await run(['run', 'recipe.yaml'], folder);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/\r|\x1b\[/);
    expect(first.stderr).toContain('[shout] slow/shout: agent'.replace('slow/shout: agent', 'agent slow/shout'));
    expect(first.stderr).toMatch(/\[shout\] 6\/6 rows \(100%\)/);
    expect(first.stderr).toMatch(/\[shout\] done: 6 in, \d+ out, 0 rejected; teacher 6 calls, 0 cached/);
    expect(first.stdout).toContain('✓ answer: ');
    expect(countLines(counter)).toBe(6);
    const output = readFileSync(join(folder, 'runs', 'plain', 'stages', 'answer', 'output.jsonl'), 'utf8');

    const second = await run(['run', 'recipe.yaml'], folder);
    expect(second.code, second.stderr).toBe(0);
    expect(countLines(counter)).toBe(6); // counted by the teacher itself: not one call more
    expect(second.stdout).toContain('- shout: 6 in');
    expect(second.stdout).toContain('(finished earlier)');
    expect(second.stderr).toContain('0 teacher calls');
    expect(readFileSync(join(folder, 'runs', 'plain', 'stages', 'answer', 'output.jsonl'), 'utf8')).toBe(output);
  });

  it('emits NDJSON events with --json', async () => {
    const folder = project('events');
    const result = await run(['run', 'recipe.yaml', '--json'], folder);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; stage?: string; time: string });
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    expect(types).toEqual(expect.arrayContaining(['stage-start', 'progress', 'stage-end']));
    expect(events.filter((event) => event.type === 'stage-end').map((event) => event.stage)).toEqual(['shout', 'answer']);
    const progress = events.filter((event) => event.type === 'progress' && event.stage === 'answer').at(-1) as unknown as { done: number; total: number; rate: number };
    expect(progress.done).toBe(progress.total);
    expect(progress.rate).toBeGreaterThan(0);
    expect(events.every((event) => !Number.isNaN(Date.parse(event.time)))).toBe(true);
    const end = events.at(-1) as unknown as { usage: { calls: number } };
    expect(end.usage.calls).toBe(6);
  });

  it('prints recipe and plugin errors as one message with a non-zero exit code', async () => {
    const missing = await run(['run', 'nowhere.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^error: Cannot read recipe .*nowhere\.yaml: no such file$/);

    const notInstalled = project('not-installed', { plugins: '"easydistill-plugin-not-installed"' });
    const plugin = await run(['validate', 'recipe.yaml'], notInstalled);
    expect(plugin.code).toBe(1);
    expect(plugin.stderr).toContain('unknown plugin "easydistill-plugin-not-installed"');
    expect(plugin.stderr).toContain('npm install easydistill-plugin-not-installed');
    expect(plugin.stderr).not.toContain('    at ');

    const bad = project('bad', { stages: '  - { id: a, use: slow/answer, in: nothing, out: b, with: { delayMs: "x" } }\n  - { id: c, use: slow/nope, in: b, out: d }' });
    const invalid = await run(['run', 'recipe.yaml'], bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('stages[0].in: no dataset "nothing"');
    expect(invalid.stderr).toContain('stages[0].with.delayMs: expected number, received string (line 9)');
    expect(invalid.stderr).toContain('stages[1].use: unknown component "slow/nope". Known: slow/answer, slow/check, slow/echo, slow/hash-filter, slow/shout. (line 10)');
    expect(invalid.stderr).not.toContain('    at ');
    expect(existsSync(join(bad, 'runs'))).toBe(false);
  });
});
