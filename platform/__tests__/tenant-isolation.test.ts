import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DATABASE_SERVICES, type DatabaseService, OWNED_SCHEMAS, serviceRole } from '../db/roles';
import { platformScope, tenantScope } from '../db/scope';
import { scopedTransaction } from '../db/scope-transaction';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';
import { eventually } from '../../testing/eventually';
import { roundTripsOf } from '../../testing/round-trips';
import { AssetEntity } from '../../subgraphs/assets/entities/asset.entity';

// Row-level security as the services see it: each connected as its own role (no BYPASSRLS),
// every tenant-owned table answers only for the tenant set in the transaction.

const TENANT_TABLES = [
  'assets.assets',
  'auth.api_keys',
  'auth.oauth_links',
  'events.events',
  'jobs.dead_letters',
  'jobs.tenant_statuses',
  'jobs.webhook_attempts',
  'jobs.webhook_deliveries',
  'jobs.webhook_endpoints',
  'observability.alert_channels',
  'observability.alert_notifications',
  'observability.alert_rule_states',
  'observability.alert_rules',
  'observability.alerts',
  'observability.audit_entries',
  'observability.tenant_usage_daily',
  'tenancy.invitations',
  'tenancy.memberships',
  'tenancy.oauth_providers',
  'tenancy.tenant_settings',
];
/** The service that reads a table directly: its schema's, and jobs for the journal. */
const readerOf = (table: string): DatabaseService =>
  OWNED_SCHEMAS[table.split('.')[0]!]?.[0] ?? 'jobs';
const tenantA = randomUUID();
const tenantB = randomUUID();
let db: TestDatabase;
let app: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await connectAs(db, 'assets', {
    poolMax: 2,
    name: 'tenant-isolation-test',
    entities: [AssetEntity],
  });
  for (const tenant of [tenantA, tenantB]) {
    await db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id) VALUES ($1, 'a.txt', 'text/plain', 1, $2)`,
      [tenant, randomUUID()],
    );
  }
});

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
});

describe('row-level security', () => {
  it('forces RLS with a tenant policy on every tenant-owned table', async () => {
    const rows = await db.query<{
      table: string;
      enabled: boolean;
      forced: boolean;
      policies: string;
    }>(
      `SELECT n.nspname || '.' || c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              (SELECT string_agg(policyname, ',') FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND EXISTS (
          SELECT 1 FROM information_schema.columns col
           WHERE col.table_schema = n.nspname AND col.table_name = c.relname AND col.column_name = 'tenant_id')`,
    );
    expect(rows.map((row) => row.table).sort()).toEqual(TENANT_TABLES);
    for (const row of rows)
      expect(row).toMatchObject({ enabled: true, forced: true, policies: 'tenant_isolation' });
  });

  it('connects the services as roles that cannot bypass RLS', async () => {
    const [role] = await app.query(`SELECT current_user AS name`);
    expect(role).toEqual({ name: 'tessera_assets' });
    const roles = await db.query(
      `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1`,
      [DATABASE_SERVICES.map(serviceRole)],
    );
    expect(roles).toEqual(
      DATABASE_SERVICES.map(serviceRole)
        .sort()
        .map((rolname) => ({ rolname, rolsuper: false, rolbypassrls: false })),
    );
  });

  it('sees nothing when no tenant is set, as the service reading each table', async () => {
    for (const table of TENANT_TABLES) {
      const reader = await connectAs(db, readerOf(table), { poolMax: 1 });
      try {
        expect([table, await reader.query(`SELECT * FROM ${table}`)]).toEqual([table, []]);
      } finally {
        await reader.destroy();
      }
    }
  });

  it("sees only the transaction's tenant", async () => {
    const rows = await tenantScope(app, tenantA).run((manager) => manager.find(AssetEntity));
    expect(rows.map((row) => row.tenantId)).toEqual([tenantA]);
  });

  it('cannot write a row into another tenant', async () => {
    await expect(
      tenantScope(app, tenantA).run((manager) =>
        manager.query(
          `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id) VALUES ($1, 'x', 'text/plain', 1, $2)`,
          [tenantB, randomUUID()],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("cannot update or delete another tenant's rows", async () => {
    const touched = await tenantScope(app, tenantA).run(async (manager) => {
      const [, updated] = await manager.query<[unknown, number]>(
        `UPDATE assets.assets SET name = 'pwned' WHERE tenant_id = $1`,
        [tenantB],
      );
      const [, deleted] = await manager.query<[unknown, number]>(
        `DELETE FROM assets.assets WHERE tenant_id = $1`,
        [tenantB],
      );
      return { updated, deleted };
    });
    expect(touched).toEqual({ updated: 0, deleted: 0 });
    expect(
      await db.query(`SELECT name FROM assets.assets WHERE tenant_id = $1`, [tenantB]),
    ).toEqual([{ name: 'a.txt' }]);
  });

  it('does not leak the tenant setting into the next use of a pooled connection', async () => {
    await tenantScope(app, tenantA).run((manager) => manager.find(AssetEntity));
    const [setting] = await app.query<{ tenant: string | null }[]>(
      `SELECT current_setting('app.tenant_id', true) AS tenant`,
    );
    expect([null, '']).toContain(setting?.tenant);
  });
});

describe('a scoped transaction', () => {
  const OPENING = `START TRANSACTION;\nSELECT set_config('app.tenant_id', $1, true)`;

  it("opens with the tenant's setting in the round trip of its first statement", async () => {
    let answer: unknown;
    const statements = await roundTripsOf(async () => {
      answer = await tenantScope(app, tenantA).run((manager) =>
        manager.query(`SELECT $1::int AS one, current_setting('app.tenant_id') AS tenant`, [1]),
      );
    });
    expect(statements).toEqual([
      `${OPENING};\nSELECT $1::int AS one, current_setting('app.tenant_id') AS tenant`,
      'COMMIT',
    ]);
    expect(answer).toEqual([{ one: 1, tenant: tenantA }]);
  });

  it('opens in a round trip of its own before a statement without parameters', async () => {
    // Such a statement may be several commands, which only the simple protocol carries.
    const statements = await roundTripsOf(() =>
      tenantScope(app, tenantA).run((manager) => manager.query('SELECT 1; SELECT 2')),
    );
    expect(statements).toEqual([OPENING, 'SELECT 1; SELECT 2', 'COMMIT']);
  });

  it("opens the platform's with the setting cleared, so only rows without a tenant show", async () => {
    const [row] = await platformScope(app).run((manager) =>
      manager.query<{ tenant: string }[]>(
        `SELECT current_setting('app.tenant_id') AS tenant WHERE $1`,
        [true],
      ),
    );
    expect(row).toEqual({ tenant: '' });
    expect(await platformScope(app).run((manager) => manager.find(AssetEntity))).toEqual([]);
  });

  it('sends the tenant id as a parameter, never as SQL', async () => {
    const hostile = `${tenantA}', false); SELECT set_config('app.tenant_id', '${tenantB}`;
    let row: unknown;
    const statements = await roundTripsOf(async () => {
      [row] = await tenantScope(app, hostile).run((manager) =>
        manager.query<{ tenant: string }[]>(
          `SELECT current_setting('app.tenant_id') AS tenant WHERE $1`,
          [true],
        ),
      );
    });
    expect(row).toEqual({ tenant: hostile });
    expect(statements.join('\n')).not.toContain(tenantB);
    // The policies cast the setting to a UUID: such a "tenant" reaches no row at all.
    await expect(
      tenantScope(app, hostile).run((manager) => manager.find(AssetEntity)),
    ).rejects.toThrow(/invalid input syntax for type uuid/);
  });

  it('takes a tenant lock in the same round trip, its name as a parameter', async () => {
    const name = `assets.quota', 0)); SELECT 1; --`;
    const statements = await roundTripsOf(() =>
      tenantScope(app, tenantA).run((manager) => manager.query('SELECT $1::int', [1]), {
        lockTenant: name,
      }),
    );
    expect(statements).toEqual([
      `${OPENING};\nSELECT pg_advisory_xact_lock(hashtextextended($1, 0));\nSELECT $1::int`,
      'COMMIT',
    ]);
  });

  it('fails with its first statement, rolls back, and returns its connection', async () => {
    // More failures than the pool has connections: a connection kept by one would stall the next.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(
        tenantScope(app, tenantA).run((manager) => manager.query('SELECT $1::int', ['one'])),
      ).rejects.toThrow(/invalid input syntax for type integer/);
    }
    const [row] = await tenantScope(app, tenantB).run((manager) =>
      manager.query<{ tenant: string }[]>(
        `SELECT current_setting('app.tenant_id') AS tenant WHERE $1`,
        [true],
      ),
    );
    expect(row).toEqual({ tenant: tenantB });
  });

  it("holds a second transaction with the same tenant lock until the first ends, and no other tenant's", async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstEntered!: () => void;
    const entered = new Promise<void>((resolve) => (firstEntered = resolve));
    // The lock is taken with the first statement: each transaction sends one before it waits.
    const first = tenantScope(app, tenantA).run(
      async (manager) => {
        await manager.query('SELECT $1::int', [1]);
        firstEntered();
        await firstHolds;
      },
      { lockTenant: 'test.lock' },
    );
    await entered;
    // Another tenant's lock of the same name is another lock: it is granted at once.
    await tenantScope(app, tenantB).run((manager) => manager.query('SELECT 1'), {
      lockTenant: 'test.lock',
    });
    let secondRan = false;
    const second = tenantScope(app, tenantA).run(
      async (manager) => {
        await manager.query('SELECT $1::int', [1]);
        secondRan = true;
      },
      { lockTenant: 'test.lock' },
    );
    await eventually(
      async () =>
        (
          await db.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database =
              (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        ).length > 0,
      10_000,
      'the second transaction waiting for the lock',
    );
    expect(secondRan).toBe(false);
    releaseFirst();
    await Promise.all([first, second]);
    expect(secondRan).toBe(true);
  });

  it('reads in a read-only transaction: a write slipped into a read fails', async () => {
    const name = `read-only-${randomUUID()}`;
    let outcome: unknown;
    const statements = await roundTripsOf(async () => {
      outcome = await tenantScope(app, tenantA)
        .read((manager) =>
          manager.query(
            `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id) VALUES ($1, $2, 'text/plain', 1, $3)`,
            [tenantA, name, randomUUID()],
          ),
        )
        .catch((error: unknown) => error);
    });
    expect(statements[0]).toMatch(/^SET TRANSACTION READ ONLY;\n/);
    expect(String(outcome)).toMatch(/read-only transaction/);
    expect(await db.query(`SELECT 1 FROM assets.assets WHERE name = $1`, [name])).toEqual([]);
  });

  it('reads statement by statement, each in one round trip with the setting, none left behind', async () => {
    let answers: unknown[] = [];
    const statements = await roundTripsOf(async () => {
      answers = await tenantScope(app, tenantA).read(async (manager) => [
        await manager.query<unknown[]>(
          `SELECT current_setting('app.tenant_id') AS tenant WHERE $1`,
          [true],
        ),
        await manager.find(AssetEntity),
      ]);
    });
    const opening = `SET TRANSACTION READ ONLY;\nSELECT set_config('app.tenant_id', $1, true);\n`;
    expect(statements).toHaveLength(2);
    expect(statements.every((statement) => statement.startsWith(opening))).toBe(true);
    expect(answers[0]).toEqual([{ tenant: tenantA }]);
    expect((answers[1] as AssetEntity[]).map((row) => row.tenantId)).toEqual([tenantA]);
    const [after] = await app.query<{ tenant: string | null; readOnly: string }[]>(
      `SELECT current_setting('app.tenant_id', true) AS tenant,
              current_setting('transaction_read_only') AS "readOnly"`,
    );
    expect([null, '']).toContain(after?.tenant);
    expect(after?.readOnly).toBe('off');
  });

  it('looks up on the primary the same way: read-only, one round trip a statement', async () => {
    let answer: unknown;
    const statements = await roundTripsOf(async () => {
      answer = await tenantScope(app, tenantA).lookup((manager) =>
        manager.query(`SELECT current_setting('app.tenant_id') AS tenant WHERE $1`, [true]),
      );
    });
    expect(statements).toEqual([
      `SET TRANSACTION READ ONLY;\nSELECT set_config('app.tenant_id', $1, true);\n` +
        `SELECT current_setting('app.tenant_id') AS tenant WHERE $1`,
    ]);
    expect(answer).toEqual([{ tenant: tenantA }]);
    await expect(
      tenantScope(app, tenantA).lookup((manager) =>
        manager.query(`DELETE FROM assets.assets WHERE tenant_id = $1`, [tenantA]),
      ),
    ).rejects.toThrow(/read-only transaction/);
  });

  it('refuses, in a read, a string of several commands rather than run it without the setting', async () => {
    await expect(
      tenantScope(app, tenantA).read((manager) =>
        manager.query('SELECT name FROM assets.assets; SELECT 1'),
      ),
    ).rejects.toThrow(/cannot insert multiple commands/);
  });

  it('refuses a tenant lock without a tenant, and one on a read', async () => {
    const work = jest.fn(() => Promise.resolve());
    await expect(
      scopedTransaction(app, tenantA, work, { lockTenant: 'assets.quota', readOnly: true }),
    ).rejects.toThrow('a read takes none');
    await expect(platformScope(app).run(work, { lockTenant: 'assets.quota' })).rejects.toThrow(
      'no tenant is set',
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('rolls back and returns its connection when the work throws', async () => {
    const name = `rolled-back-${randomUUID()}`;
    // More failures than the pool has connections: a connection kept by one would stall the next.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(
        tenantScope(app, tenantA).run(async (manager) => {
          await manager.query(
            `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id) VALUES ($1, $2, 'text/plain', 1, $3)`,
            [tenantA, name, randomUUID()],
          );
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
    }
    expect(await db.query(`SELECT 1 FROM assets.assets WHERE name = $1`, [name])).toEqual([]);
    const rows = await tenantScope(app, tenantA).run((manager) => manager.find(AssetEntity));
    expect(rows.map((row) => row.tenantId)).toEqual([tenantA]);
  });
});
