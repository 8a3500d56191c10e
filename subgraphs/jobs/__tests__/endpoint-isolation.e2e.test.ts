import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { eventually } from '../../../testing/eventually';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import {
  appendBurst,
  insertActiveEndpoint,
  spawnDeliveryWorker,
} from '../../../testing/webhook-burst';
import { startWebhookReceiver, type WebhookReceiver } from '../../../testing/webhook-receiver';
import type { ServiceProcess } from '../../../scripts/lib/service-process';

// The per-endpoint bulkhead with the real worker process, PostgreSQL, Redis and a receiver:
// a receiver that hangs holds WEBHOOK_ENDPOINT_CONCURRENCY worker slots and no more, and the
// slots of a worker killed with -9 come back by themselves.

let db: TestDatabase;
let receiver: WebhookReceiver;
let redis: Redis;
const prefixes: string[] = [];
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  [db, receiver] = await Promise.all([createTestDatabase(), startWebhookReceiver()]);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
});

afterAll(async () => {
  await Promise.all(prefixes.map((prefix) => cleanupRedisPrefix(prefix)));
  redis.disconnect();
  await receiver.close();
  await db.drop();
});

/** A gate a route's answers wait on: the receiver hangs until the test opens it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function worker(prefix: string, env: Record<string, string>): Promise<ServiceProcess> {
  const started = await spawnDeliveryWorker(db, prefix, env);
  workers.push(started);
  return started;
}

async function endpointFor(path: string): Promise<{ tenantId: string; endpointId: string }> {
  const tenantId = randomUUID();
  const endpointId = await insertActiveEndpoint(db, tenantId, `${receiver.origin}${path}`);
  return { tenantId, endpointId };
}

/** A sample of the worker's `/metrics` (every sample there also has a `service` label). */
async function metric(
  service: ServiceProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const found = text
    .split('\n')
    .find(
      (entry) =>
        /^[^{ ]+/.exec(entry)?.[0] === name && wanted.every((label) => entry.includes(label)),
    );
  if (!found) throw new Error(`no ${name} ${wanted.join(',')} in the worker's metrics`);
  return Number(found.slice(found.lastIndexOf(' ') + 1));
}

const webhookIds = (path: string) =>
  receiver.at(path).map((request) => String(request.headers['webhook-id']));

it('a receiver that hangs holds one worker slot, and a fast endpoint’s deliveries go through meanwhile', async () => {
  const prefix = testRedisPrefix();
  prefixes.push(prefix);
  const slow = await endpointFor('/hanging');
  const fast = await endpointFor('/fast');
  const held = gate();
  receiver.route('/hanging', () => held.wait.then(() => undefined));
  // Three worker slots: without the cap, the hanging endpoint's deliveries would take all three.
  const running = await worker(prefix, {
    WEBHOOK_CONCURRENCY: '3',
    WEBHOOK_ENDPOINT_CONCURRENCY: '1',
    WEBHOOK_ENDPOINT_DEFER_MS: '50',
    WEBHOOK_TIMEOUT_MS: '60000',
  });

  await appendBurst(db, [slow.tenantId], 6);
  await receiver.waitFor('/hanging', 1, 30_000);
  await appendBurst(db, [fast.tenantId], 10);
  await receiver.waitFor('/fast', 10, 30_000);

  expect(receiver.at('/hanging')).toHaveLength(1);
  expect(await metric(running, 'tessera_webhook_endpoint_slots_held')).toBe(1);
  expect(
    await metric(running, 'tessera_webhook_deliveries_total', { outcome: 'deferred' }),
  ).toBeGreaterThan(0);

  held.open();
  await receiver.waitFor('/hanging', 6, 30_000);
  expect(new Set(webhookIds('/hanging')).size).toBe(6);
  // Deferred runs spent no attempt: each delivery succeeded at its first.
  await eventually(async () => {
    const rows = await db.query<{ status: string; attempt_count: number }>(
      `SELECT status, attempt_count FROM jobs.webhook_deliveries WHERE endpoint_id = $1`,
      [slow.endpointId],
    );
    return rows.length === 6 && rows.every((row) => row.status === 'SUCCEEDED');
  });
  const attempts = await db.query<{ attempt_count: number }>(
    `SELECT attempt_count FROM jobs.webhook_deliveries WHERE endpoint_id = $1`,
    [slow.endpointId],
  );
  expect(attempts.map((row) => row.attempt_count)).toEqual([1, 1, 1, 1, 1, 1]);
  await eventually(
    async () => (await metric(running, 'tessera_webhook_endpoint_slots_held')) === 0,
  );
}, 90_000);

it('the slot of a worker killed mid-attempt comes back after its lease, and the delivery is sent again with the same webhook-id', async () => {
  const prefix = testRedisPrefix();
  prefixes.push(prefix);
  const target = await endpointFor('/killed-mid-attempt');
  let answering = false;
  const never = gate();
  receiver.route('/killed-mid-attempt', () =>
    answering ? undefined : never.wait.then(() => undefined),
  );
  // A short attempt deadline (lease: 1 s + margin) and lock, so both run out within seconds.
  const env = {
    WEBHOOK_ENDPOINT_CONCURRENCY: '1',
    WEBHOOK_ENDPOINT_DEFER_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_JOB_LOCK_MS: '1000',
  };
  const first = await worker(prefix, env);
  await appendBurst(db, [target.tenantId], 1);
  await receiver.waitFor('/killed-mid-attempt', 1, 30_000);

  await first.stop('SIGKILL');
  const slotKey = `${prefix}:bulkhead:webhook-endpoint:${target.endpointId}`;
  // Nobody gave the slot back: it is still taken, until its lease runs out.
  const [, leaseEnd] = await redis.zrange(slotKey, 0, -1, 'WITHSCORES');
  expect(await redis.zcard(slotKey)).toBe(1);

  answering = true;
  await worker(prefix, env);
  const [original, retried] = await receiver.waitFor('/killed-mid-attempt', 2, 30_000);
  expect(String(retried!.headers['webhook-id'])).toBe(String(original!.headers['webhook-id']));
  // Sent again only once the dead worker's lease had run out, never past the cap.
  expect(retried!.at).toBeGreaterThanOrEqual(Number(leaseEnd));
  await eventually(async () => (await redis.zcard(slotKey)) === 0);
  never.open();
}, 90_000);
