import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DATABASE_SERVICES } from '../../../platform/db/roles';
import { tenantScope } from '../../../platform/db/scope';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { AUDIT_ACTIONS } from '../audit/audit-actions';
import { AuditRecorder } from '../audit/audit-recorder';
import { AuditTrailRepository } from '../repositories/audit-trail.repository';

// The audit trail's table and functions as the services' own roles reach them (grants,
// row-level security, the append-only trigger), with events appended to the real journal.

const CONCURRENT_RECORDERS = 8;
let db: TestDatabase;
let jobs: DataSource;
let observability: DataSource;

const record = (maxRows = 1000) =>
  observability.transaction((manager) =>
    new AuditTrailRepository(manager).record(AUDIT_ACTIONS, maxRows),
  );
const verify = (tenantId: string | null) =>
  observability.transaction((manager) => new AuditTrailRepository(manager).verify(tenantId));

/** Appends `count` audited events (API keys revoked) and one that is not audited, per call. */
async function appendAudited(tenant: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    await tenantScope(jobs, tenant).run(async (manager) => {
      ids.push(
        (
          await appendEvent(manager, {
            tenantId: tenant,
            type: EventType.API_KEY_REVOKED,
            payload: { apiKeyId: randomUUID(), n: index },
            actor: { kind: 'system', id: null },
          })
        ).id,
      );
      await appendEvent(manager, {
        tenantId: tenant,
        type: EventType.ASSET_CREATED,
        payload: { n: index },
      });
    });
  }
  return ids;
}

async function chain(tenant: string) {
  return db.query<{ position: string; event_id: string }>(
    `SELECT a.position::text AS position, a.event_id FROM observability.audit_entries a
      WHERE a.scope = $1 ORDER BY a.position`,
    [tenant],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  jobs = await connectAs(db, 'jobs', { poolMax: 4, name: 'audit-trail-jobs' });
  observability = await connectAs(db, 'observability', {
    poolMax: CONCURRENT_RECORDERS + 2,
    name: 'audit-trail-observability',
  });
});

afterAll(async () => {
  await jobs?.destroy();
  await observability?.destroy();
  await db?.drop();
});

describe('recording', () => {
  it('copies each audited event once, in journal order, into its tenant chain', async () => {
    const tenant = randomUUID();
    const ids = await appendAudited(tenant, 3);
    expect(await record()).toBeGreaterThanOrEqual(3);
    await record();
    const rows = await chain(tenant);
    expect(rows.map((row) => row.event_id)).toEqual(ids);
    expect(rows.map((row) => row.position)).toEqual(['1', '2', '3']);
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 3, brokenPosition: null });
  });

  it('never forks a chain when recorders run while events are appended', async () => {
    const tenant = randomUUID();
    const appending = appendAudited(tenant, 25);
    const recorders = Array.from({ length: CONCURRENT_RECORDERS }, async () => {
      for (let round = 0; round < 5; round += 1) await record(3);
    });
    const ids = await appending;
    await Promise.all(recorders);
    while ((await record()) > 0);
    const rows = await chain(tenant);
    expect(rows.map((row) => row.event_id)).toEqual(ids);
    expect(rows.map((row) => Number(row.position))).toEqual(ids.map((_, index) => index + 1));
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 25 });
  });

  it("keeps a tenant's trail when the tenant's journal retention purges the events", async () => {
    const tenant = randomUUID();
    await appendAudited(tenant, 2);
    await record();
    await db.query(`UPDATE events.events SET published_at = now() WHERE tenant_id = $1`, [tenant]);
    const purged = await jobs.query<{ n: number }[]>(
      `SELECT events.purge_before($1, now() + interval '1 day', 100) AS n`,
      [tenant],
    );
    expect(purged[0]?.n).toBe(4);
    expect(await chain(tenant)).toHaveLength(2);
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 2 });
  });
});

describe('attacks on the trail', () => {
  let tenant: string;
  beforeAll(async () => {
    tenant = randomUUID();
    await appendAudited(tenant, 3);
    await record();
  });

  it.each(DATABASE_SERVICES)('as %s: no UPDATE, DELETE, TRUNCATE or INSERT', async (service) => {
    const role = await connectAs(db, service, { poolMax: 1, name: `audit-attack-${service}` });
    try {
      for (const sql of [
        `UPDATE observability.audit_entries SET action = 'x'`,
        `DELETE FROM observability.audit_entries`,
        `TRUNCATE observability.audit_entries`,
        `INSERT INTO observability.audit_anchors (scope, position, hash)
           VALUES ('${tenant}', 3, sha256('x'))`,
        `DELETE FROM observability.audit_cursors`,
        `INSERT INTO observability.audit_entries (scope, position, event_id, tenant_id,
           journal_seq, action, payload, occurred_at, prev_hash, hash)
         VALUES ('${tenant}', 4, gen_random_uuid(), '${tenant}', 99, 'x', '{}', now(),
                 sha256('x'), sha256('y'))`,
      ]) {
        await expect(
          tenantScope(role, tenant).run((manager) => manager.query(sql)),
        ).rejects.toThrow(/permission denied/);
      }
    } finally {
      await role.destroy();
    }
    expect(await chain(tenant)).toHaveLength(3);
  });

  it('refuses UPDATE, DELETE and TRUNCATE even to the owner (the trigger)', async () => {
    await expect(
      db.query(`UPDATE observability.audit_entries SET action = 'x' WHERE scope = $1`, [tenant]),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(
      db.query(`DELETE FROM observability.audit_entries WHERE scope = $1`, [tenant]),
    ).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.query(`TRUNCATE observability.audit_entries`)).rejects.toThrow(
      /append-only: TRUNCATE refused/,
    );
  });

  it('cannot be purged below the platform floor by the observability role', async () => {
    const removed = await observability.transaction((manager) =>
      new AuditTrailRepository(manager).prune(0, 1000),
    );
    expect(removed).toBe(0);
    expect(await chain(tenant)).toHaveLength(3);
  });

  it('shows a row a superuser tampered with, at that row', async () => {
    const victim = randomUUID();
    await appendAudited(victim, 4);
    await record();
    // A superuser can switch triggers off; the chain is what still tells.
    await db.query(`
      BEGIN;
      SET LOCAL session_replication_role = replica;
      UPDATE observability.audit_entries SET payload = '{"forged": true}'
       WHERE scope = '${victim}' AND position = 3;
      COMMIT;`);
    expect(await verify(victim)).toMatchObject({ ok: false, checked: 2, brokenPosition: '3' });
    const [third] = (await chain(victim)).slice(2);
    expect((await verify(victim)).brokenEventId).toBe(third!.event_id);
  });
});

describe('retention', () => {
  it('prunes the head older than the retention, anchors it, and the chain still verifies', async () => {
    const tenant = randomUUID();
    await appendAudited(tenant, 5);
    await record();
    await db.query(`
      BEGIN;
      SET LOCAL session_replication_role = replica;
      UPDATE observability.audit_entries SET occurred_at = occurred_at - interval '400 days'
       WHERE scope = '${tenant}' AND position <= 3;
      COMMIT;`);
    // Backdating changed what the rows hash to: rebuild those links as the past would have.
    await db.query(`
      BEGIN;
      SET LOCAL session_replication_role = replica;
      DO $$ DECLARE r record; prev bytea := '\\x${'00'.repeat(32)}'; h bytea; BEGIN
        FOR r IN SELECT * FROM observability.audit_entries WHERE scope = '${tenant}'
                  ORDER BY position LOOP
          h := observability.audit_row_hash(prev, r.scope, r.position, r.event_id,
                 r.journal_seq, r.action, r.payload, r.actor_kind, r.actor_id, r.request_id,
                 r.ip, r.user_agent, r.occurred_at);
          UPDATE observability.audit_entries SET prev_hash = prev, hash = h
           WHERE scope = r.scope AND position = r.position;
          prev := h;
        END LOOP; END $$;
      COMMIT;`);
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 5 });
    const removed = await observability.transaction((manager) =>
      new AuditTrailRepository(manager).prune(365, 1000),
    );
    expect(removed).toBeGreaterThanOrEqual(3);
    expect((await chain(tenant)).map((row) => row.position)).toEqual(['4', '5']);
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 2, anchorPosition: '3' });
    await appendAudited(tenant, 1);
    await record();
    expect(await verify(tenant)).toMatchObject({ ok: true, checked: 3, anchorPosition: '3' });
  });
});

describe('the recorder', () => {
  const recorderOn = (dataSource: DataSource, registry: Registry) =>
    new AuditRecorder({
      dataSource,
      registry,
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
      retentionDays: 365,
    });
  const metric = async (registry: Registry, name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);

  it('copies the backlog in one pass and counts it', async () => {
    const tenant = randomUUID();
    await appendAudited(tenant, 3);
    const registry = new Registry();
    await recorderOn(observability, registry).runOnce();
    expect(await chain(tenant)).toHaveLength(3);
    expect(await metric(registry, 'tessera_audit_entries_recorded_total')).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('survives its database going away, counts the failure, and loses nothing', async () => {
    const tenant = randomUUID();
    await appendAudited(tenant, 2);
    const gone = await connectAs(db, 'observability', { poolMax: 1, name: 'audit-recorder-gone' });
    await gone.destroy();
    const registry = new Registry();
    await expect(recorderOn(gone, registry).runOnce()).resolves.toBeUndefined();
    expect(await metric(registry, 'tessera_audit_recorder_failures_total')).toBe(2);
    expect(await chain(tenant)).toHaveLength(0);
    await recorderOn(observability, new Registry()).runOnce();
    expect(await chain(tenant)).toHaveLength(2);
  });
});
