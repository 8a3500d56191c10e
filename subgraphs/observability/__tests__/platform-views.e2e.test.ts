import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ALL_QUEUES, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';
import { gqlClient } from './observability-client';
import { codeOf, dataOf } from '../../../testing/graphql-client';

// health, queueStats and databaseStats through the gateway, against every real process.

let stack: TestStack;
let redis: Redis;
let maintenance: Queue;
const tenant = randomUUID();
let tenantOwner: TestUser;
let platformAdmin: TestUser;
const gql = gqlClient(() => stack.gatewayUrl);

beforeAll(async () => {
  // Every process is expected ok: a probe may take longer than 1.5 s on a loaded machine.
  stack = await startStack({ worker: true, env: { PROBE_TIMEOUT_MS: '5000' } });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'platform-views', 'PV')`,
    [tenant],
  );
  tenantOwner = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER');
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  maintenance = new Queue(QueueName.MAINTENANCE, {
    connection: redis,
    prefix: queuePrefix(stack.redisPrefix),
  });
}, 120_000);

afterAll(async () => {
  await maintenance?.close();
  redis?.disconnect();
  await stack?.stop();
});

describe('health', () => {
  it('is ok when every process is ready, with a check per dependency and process', async () => {
    const { health } = dataOf(
      await gql<{ health: { status: string; checks: { name: string; status: string }[] } }>(
        '{ health { status checks { name status latencyMs detail } } }',
      ),
    );
    expect(health.status).toBe('ok');
    expect(health.checks.map(({ name, status }) => [name, status])).toEqual(
      ['postgres', 'redis', 'gateway', 'auth', 'tenancy', 'assets', 'jobs', 'worker'].map(
        (name) => [name, 'ok'],
      ),
    );
  });
});

describe('queueStats', () => {
  const query = '{ queueStats { name waiting active delayed completed failed paused } }';

  it('counts every queue for a platform administrator', async () => {
    await maintenance.add('noop-for-stats', {}, { delay: 3_600_000, jobId: randomUUID() });
    const { queueStats } = dataOf(
      await gql<{ queueStats: { name: string; delayed: number; paused: boolean }[] }>(
        query,
        platformAdmin.headers(),
      ),
    );
    expect(queueStats.map((queue) => queue.name)).toEqual([...ALL_QUEUES]);
    const stats = queueStats.find((queue) => queue.name === QueueName.MAINTENANCE)!;
    expect(stats.delayed).toBeGreaterThanOrEqual(1);
    expect(stats.paused).toBe(false);
  });

  it('refuses a tenant owner and an anonymous caller', async () => {
    const asOwner = await gql(query, tenantOwner.headers(tenant));
    expect(codeOf(asOwner)).toBe('FORBIDDEN');
    expect(asOwner.body.data ?? null).toBeNull();
    expect(codeOf(await gql(query))).toBe('UNAUTHENTICATED');
  });
});

describe('databaseStats', () => {
  const query = '{ databaseStats { poolTotal poolIdle poolWaiting connections slowQueries } }';

  it('reports the pool, the connections and no slow statements without pg_stat_statements', async () => {
    const { databaseStats } = dataOf(
      await gql<{ databaseStats: Record<string, number> }>(query, platformAdmin.headers()),
    );
    expect(databaseStats.poolTotal).toBeGreaterThanOrEqual(1);
    expect(databaseStats.poolIdle).toBeLessThanOrEqual(databaseStats.poolTotal!);
    expect(databaseStats.poolWaiting).toBe(0);
    // Every process of the stack holds connections to this database.
    expect(databaseStats.connections).toBeGreaterThanOrEqual(5);
    const installed = await stack.db.query(
      `SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`,
    );
    if (installed.length === 0) expect(databaseStats.slowQueries).toBe(0);
  });

  it('refuses a tenant owner', async () => {
    expect(codeOf(await gql(query, tenantOwner.headers(tenant)))).toBe('FORBIDDEN');
  });
});

describe('health when a process is gone', () => {
  it('is degraded and names the process that does not answer', async () => {
    await stack.processes.get('assets')!.stop();
    const { health } = dataOf(
      await gql<{ health: { status: string; checks: { name: string; status: string }[] } }>(
        '{ health { status checks { name status detail } } }',
      ),
    );
    expect(health.status).toBe('degraded');
    expect(health.checks.find((check) => check.name === 'assets')).toEqual({
      name: 'assets',
      status: 'down',
      detail: 'ECONNREFUSED',
    });
    expect(health.checks.find((check) => check.name === 'auth')?.status).toBe('ok');
  });
});
