import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { RelayRepository } from '../repositories/relay.repository';

// Whether the relay may stop asking for unpublished events: events.unpublished says so itself
// (`more`), from how it shared the batch. Each scope with waiting events gets
// max(1, size / scopes) of it, the platform counting as one scope; a full batch, or a scope
// that got its whole share, may have left events out. Against the real function, read as the
// worker's role (the relay's), with the journal emptied of waiting events before each case.

let db: TestDatabase;
let owner: Client;
let worker: Client;
let relay: RelayRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = new Client({ connectionString: db.ownerUrl });
  worker = new Client({ connectionString: db.urlAs('worker') });
  await Promise.all([owner.connect(), worker.connect()]);
  relay = new RelayRepository(worker);
});

afterAll(async () => {
  await Promise.all([owner?.end(), worker?.end()]);
  await db?.drop();
});

beforeEach(async () => {
  await owner.query(`UPDATE events.events SET published_at = now() WHERE published_at IS NULL`);
});

/** `count` events of each scope (a tenant, or null for the platform), appended as services do. */
async function waiting(...scopes: [tenantId: string | null, count: number][]): Promise<void> {
  for (const [tenantId, count] of scopes) {
    await owner.query('BEGIN');
    await owner.query(`SELECT set_config('app.tenant_id', coalesce($1::text, ''), true)`, [
      tenantId,
    ]);
    await owner.query(
      `SELECT events.append_event($1, 'assets.asset.created', '{}', NULL, NULL, NULL, NULL, NULL, NULL)
         FROM generate_series(1, $2)`,
      [tenantId, count],
    );
    await owner.query('COMMIT');
  }
}

const tenant = () => randomUUID();

describe('whether a batch of unpublished events held every waiting one', () => {
  it('holds all when one scope got fewer than the whole batch', async () => {
    await waiting([tenant(), 3]);
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 3 }, more: false });

    // With the platform's 99 beside them, the two scopes share 100 as 50 each: the platform got
    // its whole share, and may have more.
    await waiting([null, 99]);
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 53 }, more: true });
  });

  it('holds all of the platform scope alone, short of the batch', async () => {
    await waiting([null, 99]);
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 99 }, more: false });
  });

  it('may have left some out when the batch is full', async () => {
    await waiting([tenant(), 100]);
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 100 }, more: true });
  });

  it('may have left some out when one of two scopes got its whole share', async () => {
    await waiting([tenant(), 60], [tenant(), 40]);
    // Two scopes share 100 as 50 each: 50 + 40, and the first got its whole share.
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 90 }, more: true });
  });

  it('may have left some out when a scope got its whole share of a short batch', async () => {
    // Three scopes share 100 as 33 each: "a" may have more than the 33 it got.
    const a = tenant();
    await waiting([a, 40], [tenant(), 1], [null, 1]);
    const batch = await relay.unpublished(100);
    expect(batch.more).toBe(true);
    expect(batch.events.filter((event) => event.tenantId === a)).toHaveLength(33);
  });

  it('holds all when every scope got less than its share', async () => {
    await waiting([tenant(), 32], [tenant(), 1], [null, 1]);
    expect(await relay.unpublished(100)).toMatchObject({ events: { length: 34 }, more: false });
  });

  it('may have left some out when there were as many scopes as the batch holds', async () => {
    // Each of ten scopes gets one of ten: a full batch, whatever else waits.
    await waiting(...Array.from({ length: 12 }, (): [string, number] => [tenant(), 1]));
    expect(await relay.unpublished(10)).toMatchObject({ events: { length: 10 }, more: true });
  });

  it('may have left some out when one each is every scope’s whole share', async () => {
    // Nine scopes sharing ten get one each, and one each is their whole share.
    await waiting(...Array.from({ length: 9 }, (): [string, number] => [tenant(), 1]));
    expect(await relay.unpublished(10)).toMatchObject({ events: { length: 9 }, more: true });
  });

  it('holds all of an empty journal', async () => {
    expect(await relay.unpublished(100)).toEqual({ events: [], more: false });
  });
});
