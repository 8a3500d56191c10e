import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import {
  createSuccessRecorder,
  type SuccessfulAttempt,
  type SuccessRecorder,
} from '../worker/webhooks/success-recorder';

// The worker's group commit of 2xx attempts, against a real database as the worker's role
// (row-level security on): what one attempt at a time wrote, written for a batch at once.

const tenant = randomUUID();
const otherTenant = randomUUID();
const endpoint = randomUUID();
const otherEndpoint = randomUUID();
let db: TestDatabase;
let app: DataSource;
let recorder: SuccessRecorder;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'worker', { poolMax: 3, name: 'success-recorder-test' });
  for (const [id, tenantId] of [
    [endpoint, tenant],
    [otherEndpoint, otherTenant],
  ]) {
    await db.query(
      `INSERT INTO jobs.webhook_endpoints (id, tenant_id, url, event_types, status, secret_ciphertext, failing_since)
       VALUES ($1, $2, 'https://hooks.example.com/', '{*}', 'ACTIVE', 'v1.unused', now() - interval '1 hour')`,
      [id, tenantId],
    );
  }
  recorder = createSuccessRecorder({ dataSource: app, maxBatch: 16, maxInFlight: 1, lingerMs: 0 });
});

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
});

afterEach(() => jest.restoreAllMocks());

/** A delivery waiting for its first attempt, in the charge of job `job-<id>`. */
async function delivery(endpointId = endpoint, tenantId = tenant): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO jobs.webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, origin, job_id)
     VALUES ($1, $2, $3, $4, 'tenancy.tenant.updated', 'event', $5)`,
    [id, tenantId, endpointId, randomUUID(), `job-${id}`],
  );
  return id;
}

function success(deliveryId: string, tenantId = tenant): SuccessfulAttempt {
  return {
    tenantId,
    deliveryId,
    jobId: `job-${deliveryId}`,
    statusCode: 204,
    durationMs: 3,
    responseBody: 'ok',
  };
}

async function rowOf(id: string) {
  const [row] = await db.query<{
    status: string;
    attempt_count: number;
    run_attempts: number;
    finished: boolean;
  }>(
    `SELECT status, attempt_count, run_attempts, finished_at IS NOT NULL AS finished
       FROM jobs.webhook_deliveries WHERE id = $1`,
    [id],
  );
  return row;
}

async function attemptsOf(id: string) {
  return db.query<{ attempt: number; status_code: number; response_body: string | null }>(
    `SELECT attempt, status_code, response_body FROM jobs.webhook_attempts
      WHERE delivery_id = $1 ORDER BY attempt`,
    [id],
  );
}

async function succeededEventsOf(id: string) {
  return db.query<{ attempt: number }>(
    `SELECT (payload->>'attempt')::int AS attempt FROM events.events
      WHERE type = 'jobs.webhook.delivery.succeeded' AND payload->>'deliveryId' = $1`,
    [id],
  );
}

describe('webhook success recorder', () => {
  it('writes attempts finished together in one transaction, each as if alone', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => delivery()));
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const recorded = await Promise.all(ids.map((id) => recorder.record(success(id))));

    expect(transactions).toHaveBeenCalledTimes(1);
    expect(recorded).toEqual(
      ids.map(() => ({ outcome: 'succeeded', attempt: 1, status: 'SUCCEEDED' })),
    );
    for (const id of ids) {
      expect(await rowOf(id)).toEqual({
        status: 'SUCCEEDED',
        attempt_count: 1,
        run_attempts: 1,
        finished: true,
      });
      expect(await attemptsOf(id)).toEqual([{ attempt: 1, status_code: 204, response_body: 'ok' }]);
      expect(await succeededEventsOf(id)).toEqual([{ attempt: 1 }]);
    }
    const [endpointRow] = await db.query<{ failing: boolean }>(
      `SELECT failing_since IS NOT NULL AS failing FROM jobs.webhook_endpoints WHERE id = $1`,
      [endpoint],
    );
    expect(endpointRow).toEqual({ failing: false });
  });

  it('logs the attempt of a job that lost charge of its delivery, leaving the status alone', async () => {
    const id = await delivery();
    const recorded = await recorder.record({ ...success(id), jobId: 'a-replaced-job' });

    expect(recorded).toEqual({
      outcome: 'skipped',
      attempt: 1,
      reason: 'another job took over the delivery',
    });
    expect(await rowOf(id)).toEqual({
      status: 'PENDING',
      attempt_count: 1,
      run_attempts: 0,
      finished: false,
    });
    expect(await attemptsOf(id)).toHaveLength(1);
    expect(await succeededEventsOf(id)).toEqual([]);
  });

  it('puts a second attempt of one delivery in the next batch, where it finds it finished', async () => {
    const id = await delivery();
    const [first, second] = await Promise.all([
      recorder.record(success(id)),
      recorder.record(success(id)),
    ]);

    expect(first).toEqual({ outcome: 'succeeded', attempt: 1, status: 'SUCCEEDED' });
    expect(second).toEqual({
      outcome: 'skipped',
      attempt: 2,
      reason: 'another job took over the delivery',
    });
    expect((await attemptsOf(id)).map((a) => a.attempt)).toEqual([1, 2]);
    expect(await succeededEventsOf(id)).toHaveLength(1);
  });

  it('skips a delivery deleted while its request was out', async () => {
    await expect(recorder.record(success(randomUUID()))).resolves.toEqual({
      outcome: 'skipped',
      reason: 'the delivery no longer exists',
    });
  });

  it("writes each tenant's attempts in a transaction scoped to that tenant", async () => {
    const mine = await delivery();
    const theirs = await delivery(otherEndpoint, otherTenant);
    const transactions = jest.spyOn(app, 'createQueryRunner'); // one per scoped transaction
    const recorded = await Promise.all([
      recorder.record(success(mine)),
      recorder.record(success(theirs, otherTenant)),
    ]);

    expect(transactions).toHaveBeenCalledTimes(2);
    expect(recorded.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    expect((await rowOf(theirs))?.status).toBe('SUCCEEDED');
  });

  it('cannot record a delivery of another tenant under a wrong tenant id (row-level security)', async () => {
    const theirs = await delivery(otherEndpoint, otherTenant);
    await expect(recorder.record(success(theirs, tenant))).resolves.toEqual({
      outcome: 'skipped',
      reason: 'the delivery no longer exists',
    });
    expect(await rowOf(theirs)).toMatchObject({ status: 'PENDING', attempt_count: 0 });
  });

  it('fails every attempt of a batch whose transaction fails, recording none, and goes on', async () => {
    const id = await delivery();
    const results = await Promise.allSettled([
      recorder.record(success(id)),
      recorder.record(success('not-a-uuid')),
    ]);

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await attemptsOf(id)).toEqual([]);
    expect(await rowOf(id)).toMatchObject({ status: 'PENDING', attempt_count: 0 });
    await expect(recorder.record(success(id))).resolves.toMatchObject({ outcome: 'succeeded' });
  });
});
