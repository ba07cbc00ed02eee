import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@easydistill/plugin-eval-ifeval';
let cachedRoot: string | undefined;

/**
 * Absolute path of a file shipped in this package's `data/` folder.
 *
 * Works from the sources (`src/…`) and from the bundled build (`dist/index.js`): it walks up from
 * this module to the folder whose `package.json` is this package's.
 */
export function packageDataPath(...segments: string[]): string {
  cachedRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return join(cachedRoot, 'data', ...segments);
}

function findPackageRoot(start: string): string {
  let directory = start;
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === PACKAGE_NAME) return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(`${PACKAGE_NAME}: cannot find the package folder (with data/) above ${start}; reinstall the package.`);
    }
    directory = parent;
  }
}
