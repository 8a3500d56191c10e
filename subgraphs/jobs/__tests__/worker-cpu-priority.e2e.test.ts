import { readFileSync } from 'node:fs';
import { DEVELOPMENT_ENCRYPTION_KEYS } from '../../../platform/config/encryption';
import { configProblems } from '../../../testing/config-problems';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { generateTestServiceKeys } from '../../../testing/service-keys';
import { TEST_REDIS_URL } from '../../../testing/services';
import { spawnService } from '../../../scripts/lib/service-process';
import { workerConfigRules, workerConfigShape } from '../worker/config';

// The worker process runs nice (WORKER_NICE, 10 by default), so a burst of deliveries takes
// only the CPU the API's processes leave idle when they share cores.

let db: TestDatabase;
const prefix = testRedisPrefix();

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  await cleanupRedisPrefix(prefix);
});

/** The niceness of `pid` (field 19 of /proc/<pid>/stat). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

async function niceOfWorker(env: Record<string, string>): Promise<number> {
  const worker = await spawnService('worker', {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.urlAs('worker'),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS,
      ...generateTestServiceKeys().env,
      ...env,
    },
  });
  try {
    return niceOf(worker.child.pid!);
  } finally {
    await worker.stop('SIGKILL');
  }
}

it('runs at niceness 10 by default, and at what WORKER_NICE says', async () => {
  expect(await niceOfWorker({})).toBe(10);
  expect(await niceOfWorker({ WORKER_NICE: '3' })).toBe(3);
});

it('refuses a niceness outside 0-19 with one line naming it', () => {
  for (const value of ['20', '-5', 'low']) {
    const problems = configProblems(
      workerConfigShape,
      { ...generateTestServiceKeys().env, WORKER_NICE: value },
      workerConfigRules,
    );
    expect(problems).toEqual([expect.stringMatching(/^config error: WORKER_NICE: /)]);
  }
});
