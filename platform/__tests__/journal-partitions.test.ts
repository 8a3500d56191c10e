import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { anonymousContext, runWithContext } from '../context/request-context';
import { tenantScope } from '../db/scope';
import { appendEvent } from '../events/append-event';
import { EventType } from '../events/event-types';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';
import { summarizeArchive } from '../../subgraphs/assets/journal-archive/journal-archive-format';

// The month-partitioned journal: partitions made ahead by the worker's function (its clock
// injected as the `first` argument), rows routed by occurred_at, the default partition as the
// safety net, and the archive functions' refusals, each as the role that calls it.

let db: TestDatabase;
let tenancy: DataSource;
let worker: DataSource;
let assets: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  tenancy = await connectAs(db, 'tenancy', { poolMax: 20, name: 'journal-partitions-tenancy' });
  worker = await connectAs(db, 'worker', { poolMax: 2, name: 'journal-partitions-worker' });
  assets = await connectAs(db, 'assets', { poolMax: 2, name: 'journal-partitions-assets' });
});

afterAll(async () => {
  await Promise.all([tenancy?.destroy(), worker?.destroy(), assets?.destroy()]);
  await db?.drop();
});

/** Appends one event as the owner would restore it: a drawn seq, an explicit occurred_at. */
async function arrange(tenantId: string, occurredAt: string, published = true) {
  const [row] = await db.query<{ id: string; seq: string }>(
    `WITH next AS (
       INSERT INTO events.sequences (scope, last_seq) VALUES ($1, 1)
       ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
       RETURNING last_seq)
     INSERT INTO events.events (tenant_id, seq, type, payload, occurred_at, published_at)
     SELECT $1, last_seq, 'tenancy.tenant.updated', '{}', $2, CASE WHEN $3 THEN $2::timestamptz END
       FROM next RETURNING id, seq::text AS seq`,
    [tenantId, occurredAt, published],
  );
  return row!;
}

async function partitionOf(id: string): Promise<string> {
  const [row] = await db.query<{ part: string }>(
    `SELECT tableoid::regclass::text AS part FROM events.events WHERE id = $1`,
    [id],
  );
  return row!.part;
}

const createPartitions = async (first: string, months: number) =>
  Number(
    (
      await worker.query<{ n: number }[]>(`SELECT events.create_journal_partitions($1, $2) AS n`, [
        first,
        months,
      ])
    )[0]!.n,
  );

async function append(tenantId: string, n: number): Promise<void> {
  await runWithContext({ ...anonymousContext(randomUUID()), tenantId }, () =>
    tenantScope(tenancy, tenantId).run((manager) =>
      appendEvent(manager, {
        type: EventType.TENANT_UPDATED,
        payload: { n },
        actor: { kind: 'system', id: null },
      }),
    ),
  );
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
  );

describe('the month-partitioned journal', () => {
  it('is partitioned by range with a default partition and the coming months present', async () => {
    const [kind] = await db.query<{ strategy: string }>(
      `SELECT partstrat AS strategy FROM pg_partitioned_table WHERE partrelid = 'events.events'::regclass`,
    );
    expect(kind).toEqual({ strategy: 'r' });
    const names = (
      await worker.query<
        {
          name: string;
        }[]
      >(`SELECT name FROM events.journal_partitions()`)
    ).map((row) => row.name);
    const month = (offset: number) => {
      const date = new Date();
      date.setUTCDate(1);
      date.setUTCMonth(date.getUTCMonth() + offset);
      return `events_y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(names).toEqual(expect.arrayContaining(['events_default', month(0), month(3)]));
    // Creating them again is a no-op.
    expect(await createPartitions(new Date().toISOString(), 4)).toBe(0);
  });

  it('routes a write at a month boundary into its own month (clock injected)', async () => {
    expect(await createPartitions('2031-01-15T12:00:00Z', 2)).toBe(2);
    const tenant = randomUUID();
    const last = await arrange(tenant, '2031-01-31T23:59:59.999999Z');
    const first = await arrange(tenant, '2031-02-01T00:00:00Z');
    expect(await partitionOf(last.id)).toBe('events.events_y2031m01');
    expect(await partitionOf(first.id)).toBe('events.events_y2031m02');
    expect([last.seq, first.seq]).toEqual(['1', '2']);
  });

  it('never fails a write for lack of a partition: the default takes it until its month exists', async () => {
    const tenant = randomUUID();
    const early = await arrange(tenant, '2035-06-30T23:59:59Z');
    expect(await partitionOf(early.id)).toBe('events.events_default');
    // The maintenance run creates the month the waiting row belongs to, and moves it there.
    expect(await createPartitions('2035-08-01T00:00:00Z', 1)).toBe(2);
    expect(await partitionOf(early.id)).toBe('events.events_y2035m06');
    const [waiting] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events.events_default`,
    );
    expect(waiting!.n).toBe(0);
  });

  it('appends through the services when the current month has no partition yet', async () => {
    const [current] = await db.query<{ name: string; n: number }>(
      `SELECT p.name, (SELECT count(*)::int FROM events.events e
                        WHERE e.tableoid = ('events.' || p.name)::regclass) AS n
         FROM events.journal_partitions() p WHERE p.starts <= now() AND p.ends > now()`,
    );
    expect(current!.n).toBe(0);
    await db.query(`DROP TABLE events.${current!.name}`);
    const tenant = randomUUID();
    await append(tenant, 1);
    const [row] = await db.query<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM events.events WHERE tenant_id = $1`,
      [tenant],
    );
    expect(row!.part).toBe('events.events_default');
    expect(await createPartitions(new Date().toISOString(), 1)).toBe(1);
    const [moved] = await db.query<{ part: string; seq: string }>(
      `SELECT tableoid::regclass::text AS part, seq::text AS seq FROM events.events WHERE tenant_id = $1`,
      [tenant],
    );
    expect(moved).toEqual({ part: `events.${current!.name}`, seq: '1' });
  });

  it('keeps each scope gap-free and unique under concurrent appends, across a month boundary', async () => {
    const tenant = randomUUID();
    await Promise.all(Array.from({ length: 20 }, (_, n) => append(tenant, n)));
    // The first ten move to the previous month's partition (UPDATE moves rows across).
    await createPartitions(new Date(Date.now() - 40 * 86_400_000).toISOString(), 2);
    await db.query(
      `UPDATE events.events SET occurred_at = date_trunc('month', now()) - interval '1 second'
        WHERE tenant_id = $1 AND seq <= 10`,
      [tenant],
    );
    await append(tenant, 20);
    const rows = await db.query<{ seq: string; part: string; id: string }>(
      `SELECT e.seq::text AS seq, e.tableoid::regclass::text AS part, e.id FROM events.events e
        WHERE e.tenant_id = $1 ORDER BY e.seq`,
      [tenant],
    );
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(new Set(rows.map((row) => row.id)).size).toBe(21);
    expect(new Set(rows.map((row) => row.part)).size).toBe(2);
  });

  it('lets no service write the journal, its partitions or its archives directly (attack)', async () => {
    for (const sql of [
      `INSERT INTO events.events (tenant_id, seq, type, payload) VALUES ('${randomUUID()}', 1, 'a.b', '{}')`,
      `INSERT INTO events.events_default (tenant_id, seq, type, payload) VALUES ('${randomUUID()}', 1, 'a.b', '{}')`,
      `SELECT * FROM events.journal_archives`,
      `SELECT events.add_journal_month(now()::timestamp)`,
    ]) {
      expect(await errorOf(assets.query(sql))).toMatchObject({ code: '42501' });
    }
    expect(
      await errorOf(assets.query(`SELECT events.create_journal_partitions(now(), 1)`)),
    ).toMatchObject({ code: '42501' });
  });
});

describe('the archive functions', () => {
  const drop = (
    part: string,
    rows: number,
    before = new Date().toISOString(),
    idsDigest: string | null = null,
  ) =>
    assets.query(`SELECT events.drop_journal_partition($1, $2, $3, $4, 100, $5) AS dropped`, [
      part,
      randomUUID(),
      rows,
      idsDigest,
      before,
    ]);

  it('pages through a partition by id, every tenant, as JSON rows', async () => {
    await createPartitions('2024-03-01T00:00:00Z', 1);
    const tenants = [randomUUID(), randomUUID()];
    for (const tenant of tenants) await arrange(tenant, '2024-03-10T00:00:00Z');
    const first = await assets.query<{ row: { id: string; tenant_id: string } }[]>(
      `SELECT r AS row FROM events.journal_partition_rows('events_y2024m03', NULL, 1) r`,
    );
    const rest = await assets.query<{ row: { id: string; tenant_id: string } }[]>(
      `SELECT r AS row FROM events.journal_partition_rows('events_y2024m03', $1, 10) r`,
      [first[0]!.row.id],
    );
    expect([...first, ...rest].map((entry) => entry.row.tenant_id).sort()).toEqual(tenants.sort());
  });

  it('refuses names that are not month partitions', async () => {
    for (const name of ['events_default', 'events', 'events_y2024m03; DROP TABLE x', 'sequences']) {
      expect(
        await errorOf(assets.query(`SELECT events.journal_partition_rows($1, NULL, 1)`, [name])),
      ).toMatchObject({ code: '42P01' });
      expect(await errorOf(drop(name, 0))).toMatchObject({ code: '42P01' });
    }
  });

  it('refuses a month that is not wholly before the cutoff, or less than a day old', async () => {
    const [current] = await db.query<{ name: string }>(
      `SELECT name FROM events.journal_partitions() WHERE starts <= now() AND ends > now()`,
    );
    expect(await errorOf(drop(current!.name, 0))).toMatchObject({ code: '55000' });
    expect(await errorOf(drop('events_y2024m03', 2, '2024-03-20T00:00:00Z'))).toMatchObject({
      code: '55000',
    });
  });

  it('keeps a partition whose count or ids differ from its archive, or with unpublished events', async () => {
    expect(await errorOf(drop('events_y2024m03', 3))).toMatchObject({
      code: '55000',
      message: expect.stringContaining('has 2 rows, its archive 3'),
    });
    await createPartitions('2024-04-01T00:00:00Z', 1);
    await arrange(randomUUID(), '2024-04-02T00:00:00Z', false);
    expect(await errorOf(drop('events_y2024m04', 1))).toMatchObject({
      code: '55000',
      message: expect.stringContaining('not published'),
    });
    // The right count, but other events than the archive's.
    expect(
      await errorOf(drop('events_y2024m03', 2, new Date().toISOString(), '12345')),
    ).toMatchObject({
      code: '55000',
      message: expect.stringContaining('holds other events than its archive'),
    });
    const names = await db.query<{ name: string }>(`SELECT name FROM events.journal_partitions()`);
    expect(names.map((row) => row.name)).toEqual(
      expect.arrayContaining(['events_y2024m03', 'events_y2024m04']),
    );
  });

  it('detaches, drops and records a wholly expired month whose archive holds every row', async () => {
    const archive = randomUUID();
    // The digest the archiver computes from the archive it read back.
    const rows = await db.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(e) AS row FROM events.events_y2024m03 e`,
    );
    const gzipped = Readable.from([gzipSync(rows.map((r) => JSON.stringify(r.row)).join('\n'))]);
    const summary = await summarizeArchive(gzipped);
    expect(summary.rows).toBe(2);
    const [answer] = await assets.query<{ dropped: string }[]>(
      `SELECT events.drop_journal_partition('events_y2024m03', $1, 2, $2, 321, now()) AS dropped`,
      [archive, summary.idsDigest],
    );
    expect(answer!.dropped).toBe('2');
    expect(await db.query(`SELECT to_regclass('events.events_y2024m03') AS part`)).toEqual([
      { part: null },
    ]);
    expect(
      await db.query(
        `SELECT month::text AS month, row_count::int AS rows, size_bytes::int AS bytes FROM events.journal_archives WHERE id = $1`,
        [archive],
      ),
    ).toEqual([{ month: '2024-03-01', rows: 2, bytes: 321 }]);
  });
});
