import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importBoundaries from './eslint-rules/import-boundaries.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '**/generated/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through platform/config.',
        },
      ],
    },
  },
  {
    // The config loader is the one place that reads the environment; tests and tooling
    // build environments for the processes they spawn.
    files: [
      'platform/config/**',
      'scripts/**',
      'bench/**',
      '**/__tests__/**',
      'testing/**',
      'jest.config.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.objectContaining, expect.stringMatching...)
    // are typed `any` by design, so in tests the two no-unsafe rules below flag every matcher
    // in an object. Fakes and polling callbacks stand in for async interfaces: an async body
    // with no await is how a fake answers at once, so require-await is noise there too.
    files: ['**/__tests__/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (this file) is outside tsconfig, so there are no types to check.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Size guard: a file past 300 lines or a function past 80 has two jobs (STYLE.md,
    // "Comments and size"). Tests are exempt: a table of cases reads best in one place.
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['**/__tests__/**', '**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
  {
    // Import boundaries: the kernel (platform/, its contracts/ included) stands on its own, the
    // gateway reaches the subgraphs only over the wire, and a subgraph never imports another;
    // what two need goes into platform/. Tests are left out: they drive the whole system
    // (starting processes through scripts/, reading another subgraph's formats).
    files: ['platform/**/*.ts', 'gateway/**/*.ts', 'subgraphs/**/*.ts'],
    ignores: ['**/__tests__/**'],
    plugins: { tessera: { rules: { 'import-boundaries': importBoundaries } } },
    rules: {
      'tessera/import-boundaries': [
        'error',
        {
          zones: [
            {
              from: 'platform/',
              allow: ['platform/'],
              why: 'the kernel never imports the subgraphs, the gateway, scripts/ or testing/',
            },
            {
              from: 'gateway/',
              allow: ['gateway/', 'platform/'],
              why: 'the gateway imports only the kernel and the contracts',
            },
            {
              from: 'subgraphs/*/',
              allow: ['subgraphs/*/', 'platform/'],
              why: 'a subgraph never imports another; what two need lives in platform/',
            },
          ],
        },
      ],
    },
  },
);
