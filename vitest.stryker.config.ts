import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The unit tests Stryker runs against each mutant (`npm run test:mutation`): the node project of
 * vitest.config.ts without its component and integration projects, which take minutes per run.
 */
export default defineConfig({
  // Stryker mutates a copy of the sources: the workspace packages must resolve to that copy, not
  // through node_modules' links to the originals, or their mutants would look uncovered.
  resolve: {
    alias: {
      // Before the package itself: an alias also takes the ids that start with it.
      '@keyhaven/contracts/import-wrap': resolve(
        import.meta.dirname,
        'packages/contracts/src/import-wrap.ts',
      ),
      '@keyhaven/contracts': resolve(import.meta.dirname, 'packages/contracts/src/index.ts'),
      '@keyhaven/engine': resolve(import.meta.dirname, 'packages/engine/src/index.ts'),
      '@keyhaven/server': resolve(import.meta.dirname, 'packages/server/src/index.ts'),
    },
  },
  test: {
    environment: 'node',
    include: ['packages/*/test/**/*.test.ts', 'apps/kms-plugin/test/**/*.test.ts'],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
