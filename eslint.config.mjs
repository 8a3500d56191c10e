import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '**/generated/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
      'platform/testing/**',
      'jest.config.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
