import { Client } from 'pg';
import { DATABASE_SERVICES, serviceRole, type DatabaseService } from '../db';
import { createTestDatabase, type TestDatabase } from '../testing/database';

// Least privilege in PostgreSQL: each service connects as its own role, which holds exactly the
// privileges written out below and nothing else. A grant that widens any role's access (a new
// cross-schema read, a function executable by one more service, PUBLIC access) fails here.

const CRUD = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const APPEND = 'events.append_event(uuid,text,jsonb,text,uuid,text,text,text,text)';

/** Every table of its own schema: CRUD, unless narrowed below. */
const OWN_SCHEMA: Record<DatabaseService, string> = {
  auth: 'auth',
  tenancy: 'tenancy',
  assets: 'assets',
  jobs: 'jobs',
  observability: 'observability',
  worker: 'jobs',
};
const NARROWED: Record<string, string[]> = { 'jobs.purge_runs': ['SELECT', 'INSERT', 'UPDATE'] };

/** Beyond its own schema's tables (and PostgreSQL's default USAGE on `public`). */
const GRANTS: Record<DatabaseService, string[]> = {
  auth: [
    'USAGE schema auth',
    'USAGE schema events',
    'USAGE schema mail',
    `EXECUTE ${APPEND}`,
    'INSERT mail.outbox',
    'EXECUTE auth.find_api_key(text)',
    'EXECUTE auth.touch_api_keys(uuid[],timestamp with time zone)',
    'EXECUTE auth.oauth_links_of_user(uuid)',
  ],
  tenancy: [
    'USAGE schema tenancy',
    'USAGE schema events',
    'USAGE schema mail',
    `EXECUTE ${APPEND}`,
    'INSERT mail.outbox',
    'EXECUTE tenancy.allowed_origins(uuid,text)',
    'EXECUTE tenancy.count_oauth_secrets_to_reencrypt(text)',
    'EXECUTE tenancy.list_tenants(text,timestamp with time zone,uuid,integer)',
    'EXECUTE tenancy.memberships_of_user(uuid)',
    'EXECUTE tenancy.oauth_secrets_to_reencrypt(text,uuid,integer)',
    'EXECUTE tenancy.open_invitation_tenant(text)',
    'EXECUTE tenancy.role_of(uuid,uuid)',
  ],
  assets: ['USAGE schema assets', 'USAGE schema events', `EXECUTE ${APPEND}`],
  jobs: [
    'USAGE schema jobs',
    'USAGE schema events',
    `EXECUTE ${APPEND}`,
    'SELECT events.events',
    'EXECUTE events.purge_before(uuid,timestamp with time zone,integer)',
    'EXECUTE jobs.admin_dead_letters(text,uuid,timestamp with time zone,uuid,integer)',
    'EXECUTE jobs.dead_letter_scope(uuid)',
    'EXECUTE jobs.webhook_secrets_to_reencrypt(text,uuid,integer)',
    'EXECUTE jobs.count_webhook_secrets_to_reencrypt(text)',
  ],
  observability: [
    'USAGE schema observability',
    'USAGE schema events',
    `EXECUTE ${APPEND}`,
    'EXECUTE events.audit_entries(text[],uuid,bigint,integer)',
    'EXECUTE observability.alert_tenants()',
  ],
  worker: [
    'USAGE schema jobs',
    'USAGE schema events',
    'USAGE schema mail',
    `EXECUTE ${APPEND}`,
    'SELECT events.events',
    'INSERT mail.outbox',
    'EXECUTE events.unpublished(integer)',
    'EXECUTE events.mark_published(uuid[])',
    'EXECUTE events.relay_lag_seconds()',
    'EXECUTE events.retention_scopes(uuid,integer)',
    'EXECUTE jobs.active_webhook_tenants(uuid[])',
  ],
};

const ROLES = DATABASE_SERVICES.map(serviceRole);

/** What each role may do, from the catalog: `PRIVILEGE object`, every kind of object. */
const PRIVILEGES_SQL = `
  WITH roles AS (SELECT rolname FROM pg_roles WHERE rolname = ANY($1)),
  schemas AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
  relations AS (
    SELECT c.oid, c.relkind, format('%I.%I', s.nspname, c.relname) AS name
      FROM pg_class c JOIN schemas s ON s.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))
  SELECT r.rolname AS role, p.privilege || ' schema ' || s.nspname AS grant
    FROM roles r, schemas s, unnest(ARRAY['USAGE', 'CREATE']) p (privilege)
   WHERE has_schema_privilege(r.rolname, s.oid, p.privilege)
  UNION ALL
  -- SELECT, INSERT, UPDATE and REFERENCES may be granted on single columns too.
  SELECT r.rolname, p.privilege || ' ' || t.name
    FROM roles r, relations t,
         unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                      'TRIGGER']) p (privilege)
   WHERE t.relkind <> 'S' AND CASE
           WHEN p.privilege IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
             THEN has_any_column_privilege(r.rolname, t.oid, p.privilege)
           ELSE has_table_privilege(r.rolname, t.oid, p.privilege) END
  UNION ALL
  SELECT r.rolname, p.privilege || ' sequence ' || t.name
    FROM roles r, relations t, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p (privilege)
   WHERE t.relkind = 'S' AND has_sequence_privilege(r.rolname, t.oid, p.privilege)
  UNION ALL
  -- pg_trgm's functions in public are PostgreSQL's own, executable by anyone.
  SELECT r.rolname, 'EXECUTE ' || f.oid::regprocedure::text
    FROM roles r, schemas s JOIN pg_proc f ON f.pronamespace = s.oid
   WHERE s.nspname <> 'public' AND has_function_privilege(r.rolname, f.oid, 'EXECUTE')`;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

async function actualMatrix(): Promise<Record<string, string[]>> {
  const rows = await db.query<{ role: string; grant: string }>(PRIVILEGES_SQL, [ROLES]);
  return Object.fromEntries(
    ROLES.map((role) => [
      role,
      rows
        .filter((row) => row.role === role)
        .map((row) => row.grant)
        .sort(),
    ]),
  );
}

async function expectedMatrix(): Promise<Record<string, string[]>> {
  const tables = await db.query<{ schema: string; name: string }>(
    `SELECT schemaname AS schema, schemaname || '.' || tablename AS name FROM pg_tables`,
  );
  return Object.fromEntries(
    DATABASE_SERVICES.map((service) => {
      const own = tables
        .filter((table) => table.schema === OWN_SCHEMA[service])
        .flatMap((table) =>
          (NARROWED[table.name] ?? CRUD).map((privilege) => `${privilege} ${table.name}`),
        );
      return [
        serviceRole(service),
        ['USAGE schema public', ...own, ...GRANTS[service]].sort(),
      ];
    }),
  );
}

describe('database roles', () => {
  it('are login roles that are not superusers, cannot bypass RLS or create anything, and belong to no other role', async () => {
    const roles = await db.query(
      `SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolbypassrls, r.rolcreatedb,
              r.rolcreaterole, r.rolreplication,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
         FROM pg_roles r WHERE r.rolname = ANY($1) ORDER BY 1`,
      [ROLES],
    );
    expect(roles).toEqual(
      [...ROLES].sort().map((rolname) => ({
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
    expect(await actualMatrix()).toEqual(await expectedMatrix());
  });

  it("give a table a later migration creates to its schema's services alone, with no grant of its own", async () => {
    await db.query(`CREATE TABLE tenancy.created_later (id int PRIMARY KEY)`);
    await db.query(`CREATE TABLE jobs.created_later (id int PRIMARY KEY)`);
    try {
      const granted = await db.query<{ role: string; grant: string }>(
        `SELECT role, "grant" FROM (${PRIVILEGES_SQL}) p WHERE "grant" LIKE '%.created_later'
          ORDER BY 1, 2`,
        [ROLES],
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
    const expected = await expectedMatrix();
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
