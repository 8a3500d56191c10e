import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { queuePrefix } from '../../../platform/redis/connection';
import { createTestDatabase } from '../../../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { spawnService } from '../../../scripts/lib/service-process';
import { purgeFinishedJobs } from '../worker/purge-finished-jobs.processor';

// Real BullMQ queues on the local Redis, under a prefix of this file's own.

const prefix = testRedisPrefix();
const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('purge-test', { connection, prefix: queuePrefix(prefix) });

afterAll(async () => {
  await queue.close();
  connection.disconnect();
  await cleanupRedisPrefix(prefix);
});

async function finishJobs(): Promise<void> {
  // BullMQ leaves connections it was handed open; these are closed below.
  const eventsConnection = connection.duplicate();
  const workerConnection = connection.duplicate();
  const events = new QueueEvents('purge-test', {
    connection: eventsConnection,
    prefix: queuePrefix(prefix),
  });
  await events.waitUntilReady();
  const worker = new Worker<{ fail?: boolean }>(
    'purge-test',
    async (job) => {
      if (job.data.fail) throw new Error('planned failure');
      return 'done';
    },
    { connection: workerConnection, prefix: queuePrefix(prefix) },
  );
  const jobs = await queue.addBulk([
    { name: 'ok', data: {} },
    { name: 'ok', data: {} },
    { name: 'bad', data: { fail: true } },
  ]);
  await Promise.allSettled(jobs.map((job) => job.waitUntilFinished(events, 10_000)));
  await worker.close();
  await events.close();
  eventsConnection.disconnect();
  workerConnection.disconnect();
}

describe('purge of finished jobs', () => {
  it('keeps finished jobs younger than the retention', async () => {
    await finishJobs();
    expect(await purgeFinishedJobs([queue], 3_600_000)).toBe(0);
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 2, failed: 1 });
  });

  it('removes completed and failed jobs older than the retention, and nothing else', async () => {
    await queue.add('waiting', {}, { delay: 60_000 });
    expect(await purgeFinishedJobs([queue], 0)).toBe(3);
    expect(await queue.getJobCounts('completed', 'failed', 'delayed')).toEqual({
      completed: 0,
      failed: 0,
      delayed: 1,
    });
  });

  it('registers its schedule when the worker process starts', async () => {
    // The worker's event relay needs a journal to watch: a database of this test's own.
    const db = await createTestDatabase();
    const worker = await spawnService('worker', {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        DATABASE_URL: db.urlAs('worker'),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        PURGE_INTERVAL_SECONDS: '600',
      },
    });
    try {
      const maintenance = new Queue('maintenance', { connection, prefix: queuePrefix(prefix) });
      const schedulers = await maintenance.getJobSchedulers();
      // Other maintenance work (re-encrypting secrets) has schedulers of its own there.
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.every])).toContainEqual([
        'purge-finished-jobs',
        600_000,
      ]);
      await maintenance.close();
      expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await worker.stop()).toBe(0);
      await db.drop();
    }
  });
});
