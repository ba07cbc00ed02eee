import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';

// À la carte (issue 8): every package is publishable. publint lints each package as `npm pack`
// would publish it (its built dist, `exports`, `files`, types), strict (warnings are errors), and
// the checks publint leaves to us: ESM, `files`, every export with types and an import in dist, a
// plugin's peer range on @easydistill/core that core's own version satisfies, and the `lint`
// script Nx caches. Relies on `npm run build` having run (the root test script builds first).
const root = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json')));
const core = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as { version: string };

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  license?: string;
  files?: string[];
  scripts?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  peerDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** Whether `version` satisfies a caret range `^x.y.z` as npm reads it (0.x: minor is the major). */
function satisfiesCaret(range: string, version: string): boolean {
  const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!match) return false;
  const [major, minor, patch] = match.slice(1).map(Number);
  const [vMajor, vMinor, vPatch] = version.split('.').map(Number);
  if (vMajor !== major) return false;
  if (major === 0 && vMinor !== minor) return false;
  return vMinor! > minor! || (vMinor === minor && vPatch! >= patch!);
}

describe('every package is publishable', () => {
  it('finds the packages', () => {
    expect(packages).toContain('core');
    expect(packages.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of packages) {
    it(`${name}: publint --strict finds nothing; exports, files, peer range and lint script`, async () => {
      const pkgDir = join(root, 'packages', name);
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
      expect(existsSync(join(pkgDir, 'dist', 'index.js')), `${pkgDir}/dist is missing: run "npm run build" first`).toBe(true);

      const { messages } = await publint({ pkgDir, pack: 'npm', strict: true, level: 'suggestion' });
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg as never) ?? message.code}`)).toEqual([]);

      expect(pkg.private).not.toBe(true);
      expect(pkg.name).toBe(`@easydistill/${name}`);
      expect(pkg.type).toBe('module');
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.files).toContain('dist');
      expect(pkg.scripts?.lint).toBe('publint --strict');
      // Each export point: types first, then the built ESM file, both inside dist and present.
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        if (typeof target === 'string') continue; // ./package.json
        expect(Object.keys(target).filter((key) => key !== '@easydistill/source').slice(0, 2), subpath).toEqual(['types', 'import']);
        for (const key of ['types', 'import']) {
          expect(target[key], `${subpath} ${key}`).toMatch(/^\.\/dist\//);
          expect(existsSync(join(pkgDir, target[key]!)), `${subpath} ${key}: ${target[key]}`).toBe(true);
        }
      }
      // Plugins take core as a peer (one core per install), never as a dependency, in a range core's version satisfies.
      if (name.startsWith('plugin-')) {
        expect(pkg.dependencies?.['@easydistill/core']).toBeUndefined();
        const range = pkg.peerDependencies?.['@easydistill/core'];
        expect(range, 'peerDependencies["@easydistill/core"]').toBeDefined();
        expect(satisfiesCaret(range!, core.version), `${range} vs core ${core.version}`).toBe(true);
      }
    }, 60_000);
  }
});
