import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One runner for the whole repository: one project per package, plus the cross-package
// end-to-end tests in test/. Inside the workspace, packages resolve to their TypeScript
// source through the `@easydistill/source` export condition (TanStack style).
const conditions = ['@easydistill/source'];
const packages = readdirSync(new URL('./packages', import.meta.url));

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `./packages/${name}`, include: ['src/**/*.test.ts'] },
      })),
      { extends: true as const, test: { name: 'e2e', root: './test', include: ['**/*.test.ts'] } },
    ],
  },
});
