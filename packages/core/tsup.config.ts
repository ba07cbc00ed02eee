import { cpSync, existsSync, rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
  sourcemap: true,
  clean: true,
  // vitest is an optional peer dependency used only by @easydistill/core/testing.
  external: ['vitest'],
  // Workspace packages resolve to their built output, never their source, in dist.
  esbuildOptions(options) {
    options.conditions = ['import', 'node'];
  },
  // Ship the repository's recipe templates inside the package for `easydistill init`.
  async onSuccess() {
    if (existsSync('../../templates')) {
      rmSync('templates', { recursive: true, force: true });
      cpSync('../../templates', 'templates', { recursive: true });
    }
  },
});
