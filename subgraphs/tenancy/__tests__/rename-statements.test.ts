import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  anonymousContext,
  runWithContext,
  type RequestContext,
} from '../../../platform/context/request-context';
import { connectAs, createTestDatabase, type TestDatabase } from '../../../testing/database';
import { roundTripsOf } from '../../../testing/round-trips';
import type { TenantEntity } from '../entities/tenant.entity';
import { TenantLifecycleService } from '../services/tenant-lifecycle.service';

// What a rename costs PostgreSQL in round trips: each is a wait on the tenancy process's event
// loop, and those after the tenant row is locked are waits for every other writer of the
// tenant too. A rename is its transaction's opening sent with the locking UPDATE and its
// journal append, then the commit; nothing reads the row first or back.

let db: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await connectAs(db, 'tenancy');
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

async function tenantNamed(name: string): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, $3)`, [
    id,
    `rename-${id.slice(0, 8)}`,
    name,
  ]);
  return id;
}

async function rename(tenantId: string, name: string | null) {
  const request: RequestContext = {
    ...anonymousContext(randomUUID()),
    tenantId,
    principal: { kind: 'user', id: randomUUID() },
    role: 'ADMIN',
  };
  const service = new TenantLifecycleService(dataSource, request, {
    membershipChanged: () => Promise.resolve(),
    purgeDeletedTenant: () => Promise.resolve(),
  });
  let tenant!: TenantEntity;
  const roundTrips = await roundTripsOf(async () => {
    tenant = await runWithContext(request, () => service.update({ name }));
  });
  // One entry per round trip: its statements' first words.
  const firstWords = (text: string) =>
    text
      .split(';')
      .map((statement) => statement.trim().split(/\s+/)[0])
      .join('; ');
  return { tenant, statements: roundTrips.map(firstWords) };
}

it('renames in two round trips: the opening with the locking UPDATE and its append, the commit', async () => {
  const tenantId = await tenantNamed('Before');
  const { tenant, statements: sent } = await rename(tenantId, 'After');
  expect(tenant.name).toBe('After');
  expect(sent).toEqual(['START; SELECT; WITH', 'COMMIT']);
  const events = await db.query<{ payload: Record<string, string> }>(
    `SELECT payload FROM events.events WHERE tenant_id = $1`,
    [tenantId],
  );
  expect(events.map((event) => event.payload)).toEqual([
    { tenantId, name: 'After', previousName: 'Before' },
  ]);
});

it('journals nothing for a rename to the same name, and answers the tenant as it is', async () => {
  const tenantId = await tenantNamed('Same');
  const { tenant } = await rename(tenantId, 'Same');
  expect(tenant).toMatchObject({ id: tenantId, name: 'Same' });
  const [journal] = await db.query<{ events: number }>(
    `SELECT count(*)::int AS events FROM events.events WHERE tenant_id = $1`,
    [tenantId],
  );
  expect(journal?.events).toBe(0);
});

it('refuses a rename of a deleted tenant with NOT_FOUND and journals nothing', async () => {
  const tenantId = await tenantNamed('Gone');
  await db.query(`UPDATE tenancy.tenants SET deleted_at = now() WHERE id = $1`, [tenantId]);
  await expect(rename(tenantId, 'Back')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  const [row] = await db.query<{ name: string }>(`SELECT name FROM tenancy.tenants WHERE id = $1`, [
    tenantId,
  ]);
  expect(row?.name).toBe('Gone');
});
