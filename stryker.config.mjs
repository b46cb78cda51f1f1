// @ts-check
/**
 * Mutation testing of the core (issue 27): the modules whose bugs would lose data or lie about
 * it. `npm run test:mutation` runs it; scripts/mutation.ts then holds every module to `break`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  mutate: [
    'packages/engine/src/crypto/envelope.ts',
    'packages/engine/src/crypto/encrypted-object.ts',
    'packages/engine/src/keys/oaep.ts',
    'packages/engine/src/domain/key-lifecycle.ts',
    'packages/engine/src/domain/key-policies.ts',
    'packages/engine/src/domain/deletion-authorizations.ts',
    'packages/engine/src/domain/key-aliases.ts',
    'packages/engine/src/domain/import-tokens.ts',
    'packages/engine/src/master/enablement.ts',
    'packages/engine/src/master/migration.ts',
    'packages/engine/src/master/checkpoint.ts',
    'packages/contracts/src/key-rules.ts',
    'packages/contracts/src/key-id.ts',
    'apps/kms-plugin/src/kms-service.ts',
  ],
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker-log-ignorer.mjs'],
  ignorers: ['log-calls'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20_000,
  // Stryker judges the whole run against `break`; scripts/mutation.ts then judges each module.
  thresholds: { high: 95, low: 90, break: 90 },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, reportMutants: false, reportTests: false },
  // What the sandbox need not copy: what npm test and npm start leave behind (.venv holds links
  // that Stryker cannot copy).
  ignorePatterns: [
    '.venv',
    '.schemathesis',
    '.tmp',
    'data',
    'dist',
    'coverage',
    'test-results',
    'playwright-report',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
