import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// À la carte, as a user installs it: `npm pack` @easydistill/core and @easydistill/plugin-synth
// (their built dist, as published), install both tarballs into an empty folder (third-party
// dependencies such as zod and tsyringe come from npm's cache, or the registry), then use the
// installed `easydistill` bin there: list plugins, run a small recipe (dedup → rules → export),
// rewrite its report, and ask for a plugin that is not installed. Relies on `npm run build`
// having run (the root test script builds first).
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'easydistill-pack-'));
const app = join(work, 'app');
const PACKAGES = ['core', 'plugin-synth'] as const;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }, maxBuffer: 16 * 2 ** 20 });
  return stdout;
}

async function easydistill(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(app, 'node_modules', '.bin', 'easydistill'), args, { cwd: app, env: userEnvironment() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : 1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

const tarballs = new Map<string, string>();

/**
 * The environment of a user's shell: without vitest's variables, which make core resolve plugins
 * through the workspace-only `@easydistill/source` condition (see core's usesSourceCondition).
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(environment)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete environment[key];
  return environment;
}

beforeAll(async () => {
  for (const name of PACKAGES) {
    const built = join(root, 'packages', name, 'dist', 'index.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" (or npx nx run-many -t build) before this test.`);
  }
  for (const name of PACKAGES) {
    const output = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], join(root, 'packages', name));
    const [packed] = JSON.parse(output) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarballs.set(name, join(work, packed!.filename));
    const paths = packed!.files.map((file) => file.path);
    // Published: the built output, never sources, tests or fixtures.
    expect(paths).toContain('dist/index.js');
    expect(paths.filter((path) => /\.test\.|__fixtures__|^src\//.test(path))).toEqual([]);
  }
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-install-app', private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarballs.get('core')!, tarballs.get('plugin-synth')!], app);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packages installed from their tarballs', () => {
  it('installs core with its bin and the plugin, its peer range on core satisfied', () => {
    const installed = (name: string) => JSON.parse(readFileSync(join(app, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(installed('@easydistill/plugin-synth').peerDependencies!['@easydistill/core']).toMatch(/^\^0\./);
    expect(installed('@easydistill/core').version).toBe(JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version);
    expect(existsSync(join(app, 'node_modules', '.bin', 'easydistill'))).toBe(true);
    // Nothing from the workspace leaks in: the install holds real copies, not links to packages/.
    expect(existsSync(join(app, 'node_modules', '@easydistill', 'core', 'src'))).toBe(false);
  });

  it('lists the installed plugin and its components with `easydistill plugins`', async () => {
    const result = await easydistill(['plugins']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('@easydistill/plugin-synth');
    expect(result.stdout).toContain('synth/dedup');
    expect(result.stdout).toContain('synth/rules');
  });

  it('runs a recipe with the plugin, exports the data and writes the run report', async () => {
    const rows = [
      { instruction: 'Name a colour.', output: 'Blue is a colour.' },
      { instruction: 'Name a colour.', output: 'Red.' },
      { instruction: '  name a COLOUR. ', output: 'Green is a colour.' },
      { instruction: 'Name a fruit.', output: 'Apple is a fruit.' },
      { instruction: 'Name a planet.', output: 'Mars' },
      { instruction: 'Name a metal.', output: 'Iron is a metal.' },
    ];
    writeFileSync(join(app, 'seeds.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    writeFileSync(
      join(app, 'recipe.yaml'),
      `apiVersion: easydistill/v1
name: a-la-carte
plugins: ["@easydistill/plugin-synth"]
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: dedup, use: synth/dedup, in: seeds, out: unique }
  - { id: check, use: synth/rules, in: unique, out: checked, with: { minWords: 3 } }
exports:
  final: { from: checked, path: ./final.jsonl, format: alpaca }
`,
    );
    const result = await easydistill(['run', 'recipe.yaml']);
    expect(result.code, result.stderr).toBe(0);
    const exported = readFileSync(join(app, 'final.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { instruction: string; output: string });
    // Dedup keeps the first "name a colour" (3 spellings → 1); rules drop "Mars" (1 word).
    expect(exported.map((row) => row.output)).toEqual(['Blue is a colour.', 'Apple is a fruit.', 'Iron is a metal.']);
    const report = join(app, 'runs', 'a-la-carte', 'report.html');
    expect(readFileSync(report, 'utf8')).toContain('synth/dedup');
    rmSync(report);
    const again = await easydistill(['report', 'runs/a-la-carte']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(report);
    expect(readFileSync(report, 'utf8')).toContain('synth/rules');
  });

  it('names a plugin that is not installed, with the command that installs it', async () => {
    writeFileSync(
      join(app, 'missing.yaml'),
      `apiVersion: easydistill/v1
name: missing
plugins: ["@easydistill/plugin-synth", "@easydistill/plugin-teacher-openai"]
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: dedup, use: synth/dedup, in: seeds, out: unique }
`,
    );
    const result = await easydistill(['validate', 'missing.yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('@easydistill/plugin-teacher-openai');
    expect(result.stderr).toContain('npm install @easydistill/plugin-teacher-openai');
  });
});
