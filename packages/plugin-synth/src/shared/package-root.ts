import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The plugin's package folder (holding `prompts/` and `data/`), found by walking up from this
 * module: the same code runs from `src/shared/` in the workspace and from `dist/` once built.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@easydistill/plugin-synth') {
      cached = folder;
      return folder;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('@easydistill/plugin-synth: cannot find its package folder (package.json) above its modules');
    folder = parent;
  }
}
