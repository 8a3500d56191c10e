import type { Config } from 'jest';
import base from './jest.config';

// The fault-injection suite (`npm run test:chaos`): the real processes, killed, cut off from
// PostgreSQL or Redis, flooded and fuzzed. Apart from `npm test` so it runs once, on its own.
const config: Config = {
  ...base,
  testMatch: ['<rootDir>/chaos/**/*.chaos.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120_000,
  // One scenario at a time: two stacks under fault on two cores would measure each other.
  maxWorkers: 1,
};

export default config;
