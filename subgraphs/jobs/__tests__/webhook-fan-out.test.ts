import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { PublishedEvent } from '../../../platform/events/channel';
import { queuePrefix } from '../../../platform/redis/connection';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { WebhookFanOut } from '../relay/relay-fan-out-hook';
import { WEBHOOK_DELIVERY_QUEUE, webhookDeliveryJobSchema } from '../webhooks/delivery-job';
import { createWebhookFanOut } from '../worker/webhooks/webhook-fan-out';

// The relay's webhook hook against a real database (as the worker's role, under row-level
// security) and a real BullMQ queue: which endpoints get which events, and that handing the
// same batch over twice (the relay's at-least-once) enqueues each delivery once.

const tenant = randomUUID();
const otherTenant = randomUUID();
const prefix = testRedisPrefix();
const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue(WEBHOOK_DELIVERY_QUEUE, { connection, prefix: queuePrefix(prefix) });
let db: TestDatabase;
let app: DataSource;
let fanOut: WebhookFanOut;
const endpoints: Record<'tenancy' | 'assets' | 'pending' | 'later' | 'other', string> = {
  tenancy: randomUUID(),
  assets: randomUUID(),
  pending: randomUUID(),
  later: randomUUID(),
  other: randomUUID(),
};

function event(type: string, tenantId: string | null = tenant): PublishedEvent {
  return {
    id: randomUUID(),
    tenantId,
    seq: '1',
    type,
    payload: {},
    actor: { kind: 'user', id: randomUUID() },
    requestId: `req-${randomUUID()}`,
    ip: null,
    userAgent: null,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'worker', {
    poolMax: 2,
    name: 'fan-out-test',
    entities: [WebhookEndpointEntity, WebhookDeliveryEntity, WebhookAttemptEntity],
  });
  const arrange: [string, string, string, string[], string][] = [
    [endpoints.tenancy, tenant, 'ACTIVE', ['tenancy.*'], '1 hour'],
    [endpoints.assets, tenant, 'ACTIVE', ['assets.asset.created', '*'], '1 hour'],
    [endpoints.pending, tenant, 'PENDING_VERIFICATION', ['*'], '1 hour'],
    // Created after the events occurred: they are not for it.
    [endpoints.later, tenant, 'ACTIVE', ['*'], '0 seconds'],
    [endpoints.other, otherTenant, 'ACTIVE', ['*'], '1 hour'],
  ];
  for (const [id, tenantId, status, types, age] of arrange) {
    await db.query(
      `INSERT INTO jobs.webhook_endpoints (id, tenant_id, url, event_types, status, secret_ciphertext, created_at)
       VALUES ($1, $2, 'https://hooks.example.com/', $3, $4, 'v1.unused', now() - $5::interval)`,
      [id, tenantId, types, status, age],
    );
  }
  fanOut = createWebhookFanOut({ dataSource: app, queue, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
  await queue.close();
  connection.disconnect();
  await cleanupRedisPrefix(prefix);
});

async function deliveries() {
  return db.query<{ endpoint_id: string; event_id: string; job_id: string; origin: string }>(
    `SELECT endpoint_id, event_id, job_id, origin FROM jobs.webhook_deliveries ORDER BY job_id`,
  );
}

describe('webhook fan-out', () => {
  const tenancyEvent = event('tenancy.tenant.updated');
  const assetEvent = event('assets.asset.created');
  const batch = [
    tenancyEvent,
    assetEvent,
    event('jobs.webhook.delivery.failed'),
    event('auth.user.signed_up', null),
  ];

  it('enqueues one delivery per matching active endpoint of the event’s tenant', async () => {
    await fanOut(batch);
    const expected = [
      [endpoints.tenancy, tenancyEvent.id],
      [endpoints.assets, tenancyEvent.id],
      [endpoints.assets, assetEvent.id],
    ]
      .map(([endpointId, eventId]) => ({
        endpoint_id: endpointId,
        event_id: eventId,
        job_id: `${endpointId}-${eventId}`,
        origin: 'event',
      }))
      .sort((a, b) => a.job_id.localeCompare(b.job_id));
    expect(await deliveries()).toEqual(expected);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.map((job) => job.id).sort()).toEqual(expected.map((row) => row.job_id));
    const data = webhookDeliveryJobSchema.parse(
      jobs.find((job) => job.id === `${endpoints.tenancy}-${tenancyEvent.id}`)!.data,
    );
    // Ids and correlation only: the event's request and actor, never a secret or payload.
    expect(Object.keys(data).sort()).toEqual(
      ['actor', 'deliveryId', 'endpointId', 'eventId', 'requestId', 'tenantId'].sort(),
    );
    expect(data).toMatchObject({
      tenantId: tenant,
      endpointId: endpoints.tenancy,
      eventId: tenancyEvent.id,
      requestId: tenancyEvent.requestId,
      actor: tenancyEvent.actor,
    });
  });

  it('is idempotent when the relay hands the same batch over again', async () => {
    const before = await deliveries();
    await fanOut(batch);
    expect(await deliveries()).toEqual(before);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(3);
  });

  it('does not enqueue again a delivery that has been attempted', async () => {
    const jobId = `${endpoints.assets}-${assetEvent.id}`;
    await queue.remove(jobId);
    await db.query(
      `UPDATE jobs.webhook_deliveries SET attempt_count = 1, status = 'FAILED' WHERE job_id = $1`,
      [jobId],
    );
    await fanOut(batch);
    expect(await queue.getJob(jobId)).toBeUndefined();
    // One not yet attempted whose job went missing is enqueued again.
    const lost = `${endpoints.tenancy}-${tenancyEvent.id}`;
    await queue.remove(lost);
    await fanOut(batch);
    expect((await queue.getJob(lost))?.id).toBe(lost);
  });
});
