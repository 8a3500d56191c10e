import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { settlesWithin } from '../../../testing/bounded';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { freePort } from '../../../testing/free-port';
import { dropRedis, testRedisPrefix } from '../../../testing/redis';
import { spawnService, type ServiceProcess } from '../../../scripts/lib/service-process';

// The worker process against a Redis of this file's own (so it can be stopped and started
// again) and a fake auth service whose retention route never answers: a purge that hangs.

/** The Redis restart needs a server of this file's own; CI machines have redis-server. */
const hasRedisServer = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => existsSync(join(dir, 'redis-server')));
if (!hasRedisServer) console.warn('worker-lifecycle: skipped, redis-server is not on PATH');

let db: TestDatabase;
let redisProcess: ChildProcess | undefined;
let redisPort: number;
let hanging: Server;
let hangingUrl: string;

async function startRedis(withinMs = 30_000): Promise<void> {
  redisProcess = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await eventually(
    async () => {
      const probe = new Redis(redisPort, '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        lazyConnect: true,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        dropRedis(probe);
      }
    },
    withinMs,
    'redis-server answering',
  );
}

async function stopRedis(): Promise<void> {
  const child = redisProcess;
  redisProcess = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function startWorker(prefix: string, logs: string[]): Promise<ServiceProcess> {
  return spawnService('worker', {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: db.urlAs('worker'),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: prefix,
      SHUTDOWN_GRACE_MS: '3000',
      PURGE_INTERVAL_SECONDS: '86400',
      SUBGRAPH_AUTH_URL: `${hangingUrl}/graphql`,
    },
    onLine: (line) => logs.push(line),
  });
}

function queueOf(name: string, prefix: string): { queue: Queue; close: () => Promise<void> } {
  const connection = new Redis(redisPort, '127.0.0.1', { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queue = new Queue(name, { connection, prefix: queuePrefix(prefix) });
  return {
    queue,
    close: async () => {
      // Bounded: closing waits on Redis, which a test may have taken away.
      await settlesWithin(queue.close(), 10_000, 'closing the test queue');
      connection.disconnect();
    },
  };
}

beforeAll(async () => {
  if (!hasRedisServer) return;
  db = await createTestDatabase();
  redisPort = await freePort();
  await startRedis();
  // Accepts the worker's calls and never answers them.
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
  await stopRedis();
  await db?.drop();
});

(hasRedisServer ? describe : describe.skip)('the worker process', () => {
  it('hands a job still running at the end of the grace period back to its queue on SIGTERM', async () => {
    const prefix = testRedisPrefix();
    const logs: string[] = [];
    const worker = await startWorker(prefix, logs);
    const { queue, close } = queueOf(QueueName.RETENTION, prefix);
    try {
      // The sessions purge asks auth, which never answers: the job keeps running.
      const job = await queue.add(
        JobName.RETENTION_PURGE,
        correlatedJobData({ target: 'sessions' }, { tenantId: null }),
        { attempts: 1 },
      );
      await eventually(async () => (await job.getState()) === 'active');
      expect(await worker.stop()).toBe(0);

      expect(await queue.getJobState(job.id!)).toBe('waiting');
      const handedBack = (await queue.getJob(job.id!))!;
      expect(handedBack.attemptsMade).toBe(0);
      // The run it recorded travels with the job, so the next worker finishes that run.
      expect((handedBack.data as { runId?: string }).runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.some((line) => line.includes('job handed back to its queue'))).toBe(true);
    } finally {
      await worker.stop('SIGKILL');
      await close();
    }
  }, 60_000);

  // Every wait is bounded, and together they stay well inside the test's limit, so a slow
  // step fails with its own name rather than as the whole test's timeout.
  it('keeps working after Redis restarts', async () => {
    const prefix = testRedisPrefix();
    const logs: string[] = [];
    const worker = await startWorker(prefix, logs);
    const readyz = async () => (await fetch(`${worker.url}/readyz`)).status;
    try {
      expect(await readyz()).toBe(200);
      await stopRedis();
      await eventually(async () => (await readyz()) === 503, 15_000, 'not ready without Redis');
      await startRedis(15_000);
      await eventually(async () => (await readyz()) === 200, 20_000, 'ready after the restart');

      // The new Redis is empty: a job added now is done only if the worker reconnected.
      const { queue, close } = queueOf(QueueName.MAINTENANCE, prefix);
      try {
        const job = await queue.add(
          JobName.PURGE_FINISHED_JOBS,
          correlatedJobData({}, { tenantId: null }),
        );
        await eventually(
          async () => (await job.getState()) === 'completed',
          20_000,
          'the job added after the restart completed',
        );
      } finally {
        await close();
      }
      expect(worker.child.exitCode).toBeNull();
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  }, 120_000);
});
