import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DistillError } from '../errors/distill-error';
import { discoverPlugins } from './discover-plugins';
import { loadPlugins } from './load-plugins';

const testkit = fileURLToPath(new URL('../__fixtures__/testkit-plugin', import.meta.url));

/** A plugin module with no imports: options "schemas" are minimal objects with safeParse. */
function pluginSource(manifest: string): string {
  return `const schema = { safeParse: (value) => ({ success: true, data: value }) };\nconst create = () => ({});\nexport default ${manifest};\n`;
}

function setup(files: Record<string, string>) {
  const folder = mkdtempSync(join(tmpdir(), 'easydistill-plugins-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(folder, name, '..'), { recursive: true });
    writeFileSync(join(folder, name), content);
  }
  return { folder, load: (specifiers: string[]) => loadPlugins(specifiers, { baseDirectory: folder, searchFrom: [folder] }) };
}

async function failure(promise: Promise<unknown>): Promise<DistillError> {
  const error = await promise.then(
    () => undefined,
    (caught) => caught,
  );
  expect(DistillError.isInstance(error)).toBe(true);
  return error;
}

const good = (namespace: string, name = `plugin-${namespace}`) =>
  pluginSource(`{ name: '${name}', version: '0.1.0', apiVersion: 1, namespace: '${namespace}', provides: [{ kind: 'teacher', id: 'chat', specificationVersion: 'v1', optionsSchema: schema, create }] }`);

describe('loadPlugins', () => {
  it('loads a local-path plugin (folder with package.json) and records name@version', async () => {
    const { catalog, provenance } = await loadPlugins([testkit], { baseDirectory: tmpdir() });
    expect(provenance).toEqual(['easydistill-plugin-testkit@1.2.3']);
    expect(catalog.get('testkit/echo')?.kind).toBe('teacher');
    expect(catalog.modelOpener()?.id).toBe('testkit/echo');
  });

  it('loads a single-file local plugin relative to the recipe folder', async () => {
    const { load } = setup({ 'my-plugin.mjs': good('mine') });
    const { catalog } = await load(['./my-plugin.mjs']);
    expect(catalog.ids()).toEqual(['mine/chat']);
  });

  it('loads an installed package by name from node_modules', async () => {
    const { load } = setup({
      'node_modules/easydistill-plugin-acme/package.json': JSON.stringify({ name: 'easydistill-plugin-acme', version: '2.0.0', type: 'module', exports: { '.': { import: './main.js' } }, keywords: ['easydistill-plugin'] }),
      'node_modules/easydistill-plugin-acme/main.js': good('acme', 'easydistill-plugin-acme'),
    });
    const { provenance } = await load(['easydistill-plugin-acme']);
    expect(provenance).toEqual(['easydistill-plugin-acme@0.1.0']);
  });

  it('refuses a bad manifest, naming each problem', async () => {
    const { load } = setup({ 'bad.mjs': pluginSource(`{ name: 'bad', version: '1.0.0', apiVersion: 1, namespace: 'Bad Space', provides: [{ kind: 'oracle', id: 'x', specificationVersion: 'v1', optionsSchema: {}, create }] }`) });
    const error = await failure(load(['./bad.mjs']));
    expect(error.code).toBe('INVALID_PLUGIN');
    expect(error.message).toContain('Plugin "./bad.mjs" has an invalid manifest');
    expect(error.message).toContain('namespace: expected a lowercase kebab-case namespace');
    expect(error.message).toContain('provides.0.kind');
    expect(error.message).toContain('provides.0.optionsSchema: expected a zod schema');
  });

  it('refuses a module without a default export', async () => {
    const { load } = setup({ 'none.mjs': 'export const x = 1;\n' });
    const error = await failure(load(['./none.mjs']));
    expect(error.message).toContain('has no manifest: its default export must be `definePlugin(');
  });

  it('refuses a plugin built for another apiVersion', async () => {
    const { load } = setup({ 'future.mjs': pluginSource(`{ name: 'easydistill-plugin-future', version: '3.0.0', apiVersion: 2, namespace: 'future', provides: [] }`) });
    const error = await failure(load(['./future.mjs']));
    expect(error.code).toBe('INCOMPATIBLE_PLUGIN');
    expect(error.message).toBe(
      'Plugin "easydistill-plugin-future@3.0.0" targets apiVersion 2; this core supports [1]. Upgrade @easydistill/core or pin the plugin to a compatible version.',
    );
  });

  it('refuses a component with an unknown specification version', async () => {
    const { load } = setup({ 'v9.mjs': pluginSource(`{ name: 'p', version: '1.0.0', apiVersion: 1, namespace: 'p', provides: [{ kind: 'agent', id: 'a', specificationVersion: 'v9', optionsSchema: schema, create }] }`) });
    const error = await failure(load(['./v9.mjs']));
    expect(error.code).toBe('INCOMPATIBLE_PLUGIN');
    expect(error.message).toContain('component "p/a" implements agent specification "v9"');
  });

  it('refuses duplicate namespace/id across plugins', async () => {
    const { load } = setup({ 'one.mjs': good('same', 'one'), 'two.mjs': good('same', 'two') });
    const error = await failure(load(['./one.mjs', './two.mjs']));
    expect(error.message).toBe(
      'Component "same/chat" is provided twice: by "one@0.1.0" and by "two@0.1.0". Remove one of the plugins from the recipe, or give one of them another namespace.',
    );
  });

  it('refuses a manifest whose name differs from package.json', async () => {
    const { load } = setup({
      'node_modules/easydistill-plugin-x/package.json': JSON.stringify({ name: 'easydistill-plugin-x', version: '1.0.0', type: 'module', main: 'index.js' }),
      'node_modules/easydistill-plugin-x/index.js': good('x', 'something-else'),
    });
    const error = await failure(load(['easydistill-plugin-x']));
    expect(error.message).toContain('manifest name "something-else" differs from package.json name "easydistill-plugin-x"');
  });

  it('names a missing local plugin path', async () => {
    const { load } = setup({});
    const error = await failure(load(['./nowhere']));
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.message).toContain('unknown plugin "./nowhere". No file or folder at that path');
  });
});

describe('discoverPlugins', () => {
  it('finds packages with the easydistill-plugin keyword and @easydistill/plugin-* names', () => {
    const { folder } = setup({
      'node_modules/easydistill-plugin-acme/package.json': JSON.stringify({ name: 'easydistill-plugin-acme', version: '2.0.0', keywords: ['easydistill-plugin'] }),
      'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.0.0' }),
      'node_modules/@acme/easydistill-plugin-b/package.json': JSON.stringify({ name: '@acme/easydistill-plugin-b', version: '0.0.1', keywords: ['easydistill-plugin'], main: 'b.js' }),
    });
    const found = discoverPlugins(folder).map((plugin) => plugin.name);
    expect(found).toContain('easydistill-plugin-acme');
    expect(found).toContain('@acme/easydistill-plugin-b');
    expect(found).not.toContain('left-pad');
    // Core's own workspace plugins are found from core's location too.
    expect(found.some((name) => name.startsWith('@easydistill/plugin-'))).toBe(true);
  });
});
