import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/__tests__/**/*.test.ts'],
  // The fault-injection suite runs apart: `npm run test:chaos` (jest.chaos.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/chaos/'],
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  // Builds dist/ (the processes end-to-end tests spawn) and the migrated template database.
  globalSetup: '<rootDir>/platform/testing/global-setup.ts',
  globalTeardown: '<rootDir>/platform/testing/global-teardown.ts',
  testTimeout: 60_000,
  // `--coverage` (CI) prints one summary over all source files, loaded or not.
  coverageProvider: 'v8',
  coverageReporters: ['text-summary'],
  collectCoverageFrom: [
    '{gateway,platform,subgraphs,scripts}/**/*.ts',
    '!**/__tests__/**',
    '!**/generated/**',
    '!platform/testing/**',
  ],
  // Two cores: more workers only make end-to-end tests fight for CPU.
  maxWorkers: 2,
};

export default config;
