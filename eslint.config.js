import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import importPlugin from 'eslint-plugin-import';
import checkFile from 'eslint-plugin-check-file';
import globals from 'globals';

/**
 * The engine's layers, lowest first: each may import only from the layers below it. kube/ (the
 * bounded client of connected clusters) stands on its own at the bottom, beside store/ and
 * crypto/: domain/ and master/ use it, and it uses none of the engine.
 */
const engine = './packages/engine/src';
const engineTop = [`${engine}/engine.ts`, `${engine}/demo.ts`, `${engine}/index.ts`];
const engineZones = [
  {
    target: `${engine}/kube`,
    from: [
      `${engine}/store`,
      `${engine}/crypto`,
      `${engine}/keys`,
      `${engine}/domain`,
      `${engine}/master`,
      ...engineTop,
    ],
  },
  {
    target: `${engine}/store`,
    from: [
      `${engine}/kube`,
      `${engine}/crypto`,
      `${engine}/keys`,
      `${engine}/domain`,
      `${engine}/master`,
      ...engineTop,
    ],
  },
  {
    target: `${engine}/crypto`,
    from: [
      `${engine}/kube`,
      `${engine}/store`,
      `${engine}/keys`,
      `${engine}/domain`,
      `${engine}/master`,
      ...engineTop,
    ],
  },
  {
    target: `${engine}/keys`,
    from: [
      `${engine}/kube`,
      `${engine}/crypto`,
      `${engine}/domain`,
      `${engine}/master`,
      ...engineTop,
    ],
  },
  { target: `${engine}/domain`, from: [`${engine}/master`, ...engineTop] },
  { target: `${engine}/master`, from: engineTop },
].map((zone) => ({
  ...zone,
  message:
    'The engine is layered: store, crypto and kube, then key adapters, then domain, then master.',
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '**/dist',
      'data',
      'test-results',
      'playwright-report',
      '.tmp',
      '.venv',
      '.stryker-tmp',
      'reports',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { import: importPlugin, 'check-file': checkFile },
    settings: {
      // eslint-plugin-import reads each imported module itself: it must parse TypeScript.
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'check-file/filename-naming-convention': [
        'error',
        { '**/*.{ts,tsx,js,mjs,cjs}': 'KEBAB_CASE' },
        { ignoreMiddleExtensions: true },
      ],
    },
  },
  {
    files: ['packages/engine/src/**/*.ts'],
    rules: { 'import/no-restricted-paths': ['error', { zones: engineZones }] },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      ...jsxA11y.flatConfigs.recommended.rules,
      // One-way imports: shared code imports no feature, and features import no other feature.
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './apps/web/src/shared', from: './apps/web/src/features' },
            { target: './apps/web/src/shared', from: './apps/web/src/app' },
            { target: './apps/web/src/features', from: './apps/web/src/app' },
            {
              target: './apps/web/src/features/auth',
              from: './apps/web/src/features',
              except: ['./auth'],
            },
            {
              target: './apps/web/src/features/clusters',
              from: './apps/web/src/features',
              except: ['./clusters'],
            },
            {
              target: './apps/web/src/features/kms',
              from: './apps/web/src/features',
              except: ['./kms'],
            },
            {
              target: './apps/web/src/features/secrets',
              from: './apps/web/src/features',
              except: ['./secrets'],
            },
            {
              target: './apps/web/src/features/activity',
              from: './apps/web/src/features',
              except: ['./activity'],
            },
            {
              target: './apps/web/src/features/authorizations',
              from: './apps/web/src/features',
              except: ['./authorizations'],
            },
          ],
        },
      ],
    },
  },
);
