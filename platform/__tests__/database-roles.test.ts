import { Client } from 'pg';
import { DATABASE_SERVICES, serviceRole } from '../db/roles';
import { createTestDatabase, type TestDatabase } from '../../testing/database';
import {
  actualPrivileges,
  CRUD,
  expectedPrivileges,
  PRIVILEGES_SQL,
  SERVICE_ROLES,
} from '../../testing/privileges';

// Least privilege in PostgreSQL: each service connects as its own role, which holds exactly the
// privileges of the matrix (testing/privileges.ts) and nothing else. A grant that
// widens any role's access (a new cross-schema read, a function executable by one more service,
// PUBLIC access) fails here.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('database roles', () => {
  it('are login roles that are not superusers, cannot bypass RLS or create anything, and belong to no other role', async () => {
    const roles = await db.query(
      `SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolbypassrls, r.rolcreatedb,
              r.rolcreaterole, r.rolreplication,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
         FROM pg_roles r WHERE r.rolname = ANY($1) ORDER BY 1`,
      [SERVICE_ROLES],
    );
    expect(roles).toEqual(
      [...SERVICE_ROLES].sort().map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
        rolbypassrls: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        memberships: 0,
      })),
    );
  });

  it('hold exactly the privileges of the matrix, each service its own schema and nothing else', async () => {
    expect(await actualPrivileges(db.query)).toEqual(await expectedPrivileges(db.query));
  });

  it("give a table a later migration creates to its schema's services alone, with no grant of its own", async () => {
    await db.query(`CREATE TABLE tenancy.created_later (id int PRIMARY KEY)`);
    await db.query(`CREATE TABLE jobs.created_later (id int PRIMARY KEY)`);
    try {
      const granted = await db.query<{ role: string; grant: string }>(
        `SELECT role, "grant" FROM (${PRIVILEGES_SQL}) p WHERE "grant" LIKE '%.created_later'
          ORDER BY 1, 2`,
        [SERVICE_ROLES],
      );
      expect(granted).toEqual(
        ['tessera_jobs', 'tessera_tenancy', 'tessera_worker'].flatMap((role) =>
          [...CRUD].sort().map((privilege) => ({
            role,
            grant: `${privilege} ${role === 'tessera_tenancy' ? 'tenancy' : 'jobs'}.created_later`,
          })),
        ),
      );
    } finally {
      await db.query(`DROP TABLE tenancy.created_later, jobs.created_later`);
    }
  });

  it("refuses assets' role every auth table, even with a tenant set (permission denied)", async () => {
    const auth = await db.query<{ name: string }>(
      `SELECT 'auth.' || tablename AS name FROM pg_tables WHERE schemaname = 'auth' ORDER BY 1`,
    );
    expect(auth.map((table) => table.name)).toEqual(
      expect.arrayContaining(['auth.api_keys', 'auth.sessions', 'auth.users']),
    );
    const assets = new Client({ connectionString: db.urlAs('assets') });
    await assets.connect();
    try {
      await assets.query(`SELECT set_config('app.tenant_id', gen_random_uuid()::text, false)`);
      for (const { name } of auth) {
        await expect(assets.query(`SELECT * FROM ${name} LIMIT 1`)).rejects.toMatchObject({
          code: '42501',
          message: 'permission denied for schema auth',
        });
      }
    } finally {
      await assets.end();
    }
  });

  it('refuses every role a read of any table outside its grants', async () => {
    const expected = await expectedPrivileges(db.query);
    const tables = await db.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const refused: string[] = [];
    const readable: string[] = [];
    for (const service of DATABASE_SERVICES) {
      const role = serviceRole(service);
      const client = new Client({ connectionString: db.urlAs(service) });
      await client.connect();
      try {
        for (const { name } of tables) {
          if (expected[role]!.includes(`SELECT ${name}`)) continue;
          try {
            await client.query(`SELECT 1 FROM ${name} LIMIT 1`);
            readable.push(`${role} ${name}`);
          } catch (error) {
            if ((error as { code?: string }).code !== '42501') throw error;
            refused.push(`${role} ${name}`);
          }
        }
      } finally {
        await client.end();
      }
    }
    expect(readable).toEqual([]);
    expect(refused).toEqual(expect.arrayContaining(['tessera_assets auth.users']));
  });
});
