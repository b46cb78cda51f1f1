import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Unit, component and integration tests; `npm run test:unit` and `test:integration` pick projects. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'packages/*/test/**/*.test.ts',
            'apps/engine/test/**/*.test.ts',
            'apps/bff/test/**/*.test.ts',
            'apps/kms-plugin/test/**/*.test.ts',
            'apps/cli/test/**/*.test.ts',
            'scripts/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '.stryker-tmp/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'component',
          environment: 'jsdom',
          include: ['apps/web/src/**/*.test.tsx', 'apps/web/src/**/*.test.ts'],
          setupFiles: ['apps/web/src/test/setup.ts'],
          css: false,
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          // The services these tests start are the release's bundles: built first (under 1 s).
          globalSetup: ['scripts/build-services.setup.ts'],
          include: ['**/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '.stryker-tmp/**'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
