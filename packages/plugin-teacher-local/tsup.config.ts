import { defineConfig } from 'tsup';

export default defineConfig({
  // The model thread of `easydistill serve` is its own entry: dist/model-worker.js, beside index.js.
  entry: { index: 'src/index.ts', 'model-worker': 'src/serve/model-worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // Workspace packages resolve to their built output, never their source, in dist.
  esbuildOptions(options) {
    options.conditions = ['import', 'node'];
  },
});
