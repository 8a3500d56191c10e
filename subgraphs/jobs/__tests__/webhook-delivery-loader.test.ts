import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { createDeliveryLoader, type DeliveryLoader } from '../worker/webhooks/delivery-loader';

// The worker's batched load of delivery jobs, against a real database as the worker's role
// (row-level security on): what four queries per job found, found for many jobs at once.

const tenant = randomUUID();
const otherTenant = randomUUID();
const endpoint = randomUUID();
const otherEndpoint = randomUUID();
let db: TestDatabase;
let app: DataSource;
let loader: DeliveryLoader;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'worker', { poolMax: 3, name: 'delivery-loader-test' });
  for (const [id, tenantId] of [
    [endpoint, tenant],
    [otherEndpoint, otherTenant],
  ]) {
    await db.query(
      `INSERT INTO jobs.webhook_endpoints
         (id, tenant_id, url, event_types, status, secret_ciphertext, rate_limit_per_second)
       VALUES ($1, $2, 'https://hooks.example.com/', '{*}', 'ACTIVE', 'v1.secret', 7)`,
      [id, tenantId],
    );
  }
  loader = createDeliveryLoader({ dataSource: app, maxBatch: 16, maxInFlight: 2, lingerMs: 0 });
});

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
});

afterEach(() => jest.restoreAllMocks());

async function journalEvent(tenantId: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO events.events (tenant_id, seq, type, payload)
     VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM events.events WHERE tenant_id = $1),
             'tenancy.tenant.updated', '{"n": 1}')
     RETURNING id`,
    [tenantId],
  );
  return row!.id;
}

/** A delivery of a journal event (or of a synthetic one), in the charge of job `job-<id>`. */
async function delivery(
  options: { tenantId?: string; endpointId?: string; eventId?: string; synthetic?: boolean } = {},
): Promise<string> {
  const id = randomUUID();
  const tenantId = options.tenantId ?? tenant;
  const eventId = options.eventId ?? (await journalEvent(tenantId));
  await db.query(
    `INSERT INTO jobs.webhook_deliveries
       (id, tenant_id, endpoint_id, event_id, event_type, origin, job_id, synthetic_event)
     VALUES ($1, $2, $3, $4, 'tenancy.tenant.updated', $6, $5, $7::jsonb)`,
    [
      id,
      tenantId,
      options.endpointId ?? endpoint,
      eventId,
      `job-${id}`,
      options.synthetic ? 'test' : 'event',
      options.synthetic
        ? JSON.stringify({ type: 'webhook.test', payload: {}, occurredAt: '2026-01-01T00:00:00Z' })
        : null,
    ],
  );
  return id;
}

describe('webhook delivery loader', () => {
  it('loads the deliveries of jobs starting together in one transaction, with endpoint and event', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => delivery()));
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const loaded = await Promise.all(ids.map((id) => loader.load(tenant, id)));

    expect(transactions).toHaveBeenCalledTimes(1);
    for (const [index, { tenantSuspended, delivery: found }] of loaded.entries()) {
      expect(tenantSuspended).toBe(false);
      expect(found).toMatchObject({
        id: ids[index],
        tenantId: tenant,
        jobId: `job-${ids[index]}`,
        status: 'PENDING',
        syntheticEvent: null,
        endpoint: {
          id: endpoint,
          url: 'https://hooks.example.com/',
          status: 'ACTIVE',
          rateLimitPerSecond: 7,
          secretCiphertext: 'v1.secret',
          previousSecretCiphertext: null,
        },
        event: { id: found!.eventId, type: 'tenancy.tenant.updated', payload: { n: 1 } },
      });
      expect(found!.event!.occurredAt).toBeInstanceOf(Date);
    }
  });

  it('loads a synthetic event without a journal event, and a purged event as none', async () => {
    const synthetic = await delivery({ synthetic: true, eventId: randomUUID() });
    const purged = await delivery({ eventId: randomUUID() });
    const [a, b] = await Promise.all([loader.load(tenant, synthetic), loader.load(tenant, purged)]);

    expect(a.delivery).toMatchObject({
      syntheticEvent: { type: 'webhook.test' },
      event: null,
      endpoint: { id: endpoint },
    });
    expect(b.delivery).toMatchObject({ syntheticEvent: null, event: null });
  });

  it('gathers the loads asked for while loads are running into the next one', async () => {
    const single = createDeliveryLoader({
      dataSource: app,
      maxBatch: 16,
      maxInFlight: 1,
      lingerMs: 0,
    });
    const ids = await Promise.all([1, 2, 3, 4].map(() => delivery()));
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const first = single.load(tenant, ids[0]!);
    // Asked for after the first load started: they wait for it, then go together.
    await new Promise((resolve) => setImmediate(resolve));
    const rest = await Promise.all(ids.slice(1).map((id) => single.load(tenant, id)));

    expect((await first).delivery?.id).toBe(ids[0]);
    expect(rest.map((l) => l.delivery?.id)).toEqual(ids.slice(1));
    expect(transactions).toHaveBeenCalledTimes(2);
  });

  it('finds no delivery that is gone, and says whether the tenant is suspended all the same', async () => {
    const suspended = randomUUID();
    await db.query(
      `INSERT INTO jobs.tenant_statuses (tenant_id, status, seq) VALUES ($1, 'SUSPENDED', 1)`,
      [suspended],
    );
    await expect(loader.load(suspended, randomUUID())).resolves.toEqual({
      tenantSuspended: true,
      delivery: null,
    });
    await expect(loader.load(tenant, randomUUID())).resolves.toEqual({
      tenantSuspended: false,
      delivery: null,
    });
  });

  it("loads each tenant's deliveries in a transaction scoped to that tenant (row-level security)", async () => {
    const mine = await delivery();
    const theirs = await delivery({ tenantId: otherTenant, endpointId: otherEndpoint });
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const [a, b, c] = await Promise.all([
      loader.load(tenant, mine),
      loader.load(otherTenant, theirs),
      loader.load(tenant, theirs),
    ]);

    expect(transactions).toHaveBeenCalledTimes(2);
    expect(a.delivery?.id).toBe(mine);
    expect(b.delivery).toMatchObject({ id: theirs, endpoint: { id: otherEndpoint } });
    expect(c.delivery).toBeNull();
  });

  it('splits a wave larger than the batch size into several statements', async () => {
    const small = createDeliveryLoader({
      dataSource: app,
      maxBatch: 2,
      maxInFlight: 2,
      lingerMs: 0,
    });
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => delivery()));
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const loaded = await Promise.all(ids.map((id) => small.load(tenant, id)));

    expect(transactions).toHaveBeenCalledTimes(3);
    expect(loaded.map((l) => l.delivery?.id)).toEqual(ids);
  });
});
