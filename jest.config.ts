import type { Config } from 'jest';

/** What every test project shares: how TypeScript runs, and what is never a test. */
export const projectBase = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  // Drops this run's template database, whichever projects ran.
  globalTeardown: '<rootDir>/testing/global-teardown.ts',
} satisfies Config;

// The fault-injection suite runs apart: `npm run test:chaos` (jest.chaos.config.ts).
const ignored = ['/node_modules/', '/dist/', '<rootDir>/chaos/'];

/** Coverage, time limits and concurrency of a run, whichever of its projects run. */
export const runOptions = {
  // `--coverage` (CI) prints one summary over all source files, loaded or not.
  coverageProvider: 'v8',
  coverageReporters: ['text-summary'],
  collectCoverageFrom: [
    '{gateway,platform,subgraphs,scripts}/**/*.ts',
    '!**/__tests__/**',
    '!**/generated/**',
  ],
  // A run-wide option: jest ignores it inside a project.
  testTimeout: 60_000,
  // Two cores: more workers only make end-to-end tests fight for CPU.
  maxWorkers: 2,
  // A worker that ran some eighty files takes 0.4 s to exit on an idle machine and up to 0.9 s
  // with coverage beside a busy core (its process tearing down, nothing left open: checked
  // file by file). Past jest's default of 0.5 s it was forced out with a notice that read like
  // a leak; one that really hangs is still forced out, 5 s after the run.
  workerGracefulExitTimeout: 5_000,
} satisfies Config;

/**
 * Two projects, told apart by file name: `*.e2e.test.ts` spawns something (the built services,
 * a redis-server, pg_dump, kubectl, codegen), so the e2e project builds dist/ first; every other
 * test runs in process against the local PostgreSQL and Redis and needs no build.
 * scripts/__tests__/test-projects.test.ts keeps the names honest. `npm test` runs both,
 * `npm run test:unit` and `npm run test:e2e` one each.
 */
const config: Config = {
  ...runOptions,
  projects: [
    {
      ...projectBase,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '\\.e2e\\.test\\.ts$'],
      // Migrates the template database every test file clones.
      globalSetup: '<rootDir>/testing/global-setup.ts',
    },
    {
      ...projectBase,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/__tests__/**/*.e2e.test.ts'],
      testPathIgnorePatterns: ignored,
      // Counts failures, so a stack stopping after one prints its processes' warnings.
      testEnvironment: '<rootDir>/testing/environment-e2e.ts',
      // Builds dist/ (the processes these tests spawn), then the template database.
      globalSetup: '<rootDir>/testing/global-setup-e2e.ts',
    },
  ],
};

export default config;
