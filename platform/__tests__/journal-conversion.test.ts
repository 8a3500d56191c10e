import { randomUUID } from 'node:crypto';
import { applyMigrations, revertLastMigration } from '../db/migrations';
import { createTestDatabase, type TestDatabase } from '../../testing/database';
import { ALL_MIGRATIONS } from '../../scripts/all-migrations';

// The partitioning migration on a journal that has rows: reverted (back to one table) and
// applied again (to month partitions), every row, index, policy and grant comes through.

const PARTITIONING = 'PartitionTheJournalByMonth1766002000000';
const tenants = [randomUUID(), randomUUID()];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

async function isApplied(name: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM tessera_migrations WHERE name = $1`, [name]);
  return rows.length > 0;
}

/** Every row, whole, in id order: what must survive each conversion. */
const journalRows = () =>
  db.query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(e) AS row FROM events.events e ORDER BY e.id`,
  );

async function shape() {
  const [table] = await db.query<{ kind: string; enabled: boolean; forced: boolean }>(
    `SELECT relkind::text AS kind, relrowsecurity AS enabled, relforcerowsecurity AS forced
       FROM pg_class WHERE oid = 'events.events'::regclass`,
  );
  const indexes = await db.query<{ name: string; unique: boolean }>(
    `SELECT c.relname AS name, i.indisunique AS unique FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'events.events'::regclass ORDER BY c.relname`,
  );
  const policies = await db.query(
    `SELECT policyname, cmd, qual, with_check FROM pg_policies
      WHERE schemaname = 'events' AND tablename = 'events'`,
  );
  const grants = await db.query(
    `SELECT grantee, privilege_type FROM information_schema.role_table_grants
      WHERE table_schema = 'events' AND table_name = 'events' AND grantee LIKE 'tessera\\_%'
      ORDER BY 1, 2`,
  );
  return { table, indexes, policies, grants };
}

async function arrange(tenantId: string | null, occurredAt: string): Promise<void> {
  await db.query(
    `WITH next AS (
       INSERT INTO events.sequences (scope, last_seq)
       VALUES (coalesce($1::uuid, '00000000-0000-0000-0000-000000000000'), 1)
       ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
       RETURNING last_seq)
     INSERT INTO events.events (tenant_id, seq, type, payload, occurred_at, published_at,
                                actor_kind, request_id)
     SELECT $1, last_seq, 'tenancy.tenant.updated', jsonb_build_object('at', $2::text), $2::timestamptz,
            CASE WHEN last_seq % 2 = 0 THEN $2::timestamptz END, 'system', 'req-' || last_seq
       FROM next`,
    [tenantId, occurredAt],
  );
}

describe('partitioning a journal that has rows', () => {
  it('goes back to one table and forward to months with every row, index, policy and grant', async () => {
    for (const at of ['2025-11-30T23:59:59Z', '2025-12-01T00:00:00Z', '2026-01-15T08:00:00Z']) {
      for (const tenant of [...tenants, null]) await arrange(tenant, at);
    }
    const rows = await journalRows();
    const partitioned = await shape();
    expect(partitioned.table).toEqual({ kind: 'p', enabled: true, forced: true });

    while (await isApplied(PARTITIONING)) await revertLastMigration(db.ownerUrl, ALL_MIGRATIONS);
    const single = await shape();
    expect(single.table).toEqual({ kind: 'r', enabled: true, forced: true });
    expect(await journalRows()).toEqual(rows);
    // One table again: the unique keys are unique once more.
    expect(single.indexes.filter((index) => index.unique).map((index) => index.name)).toEqual([
      'events_pkey',
      'events_platform_seq_key',
      'events_tenant_seq_key',
    ]);
    expect(single.policies).toEqual(partitioned.policies);
    expect(single.grants).toEqual(partitioned.grants);

    // Rows written while it is one table, then forward again.
    await arrange(tenants[0]!, '2026-02-01T00:00:00Z');
    const grown = await journalRows();
    await applyMigrations(db.ownerUrl, ALL_MIGRATIONS);
    expect(await shape()).toEqual(partitioned);
    expect(await journalRows()).toEqual(grown);
    const months = await db.query<{ part: string; n: number }>(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM events.events
        WHERE occurred_at < '2026-03-01' GROUP BY 1 ORDER BY 1`,
    );
    expect(months).toEqual([
      { part: 'events.events_y2025m11', n: 3 },
      { part: 'events.events_y2025m12', n: 3 },
      { part: 'events.events_y2026m01', n: 3 },
      { part: 'events.events_y2026m02', n: 1 },
    ]);
  });
});
