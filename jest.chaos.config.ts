import type { Config } from 'jest';
import { projectBase, runOptions } from './jest.config';

// The fault-injection suite (`npm run test:chaos`): the real processes, killed, cut off from
// PostgreSQL or Redis, flooded and fuzzed. Apart from `npm test` so it runs once, on its own.
const config: Config = {
  ...runOptions,
  ...projectBase,
  testMatch: ['<rootDir>/chaos/**/*.chaos.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Counts failures, so a stack stopping after one prints its processes' warnings.
  testEnvironment: '<rootDir>/testing/environment-e2e.ts',
  // Builds dist/ (the processes every scenario spawns), then the template database.
  globalSetup: '<rootDir>/testing/global-setup-e2e.ts',
  testTimeout: 120_000,
  // One scenario at a time: two stacks under fault on two cores would measure each other.
  maxWorkers: 1,
};

export default config;
