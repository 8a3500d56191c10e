import { Client } from 'pg';
import { DATABASE_SERVICES } from '../db/roles';
import { startStack, type TestStack } from '../../testing/stack';

// The running processes against PostgreSQL: each connects as its own role, and the role the
// assets process really uses cannot read auth's tables, so an SQL injection in assets could
// not either. The owner impersonates each process's own session user (SET ROLE drops the
// owner's privileges), whatever that role is called.

let stack: TestStack;
let owner: Client;

beforeAll(async () => {
  stack = await startStack({ worker: true });
  owner = new Client({ connectionString: stack.db.ownerUrl });
  await owner.connect();
  // Each answers only once its pool (and the worker's relay session) reached PostgreSQL.
  for (const service of DATABASE_SERVICES) {
    expect([service, (await fetch(`${stack.url(service)}/readyz`)).status]).toEqual([service, 200]);
  }
}, 120_000);

afterAll(async () => {
  await owner?.end();
  await stack?.stop();
});

/** The database user of each process's sessions, by application name. */
async function sessionUsers(): Promise<Record<string, string[]>> {
  const rows = await owner.query<{ application: string; users: string[] }>(
    `SELECT application_name AS application, array_agg(DISTINCT usename::text) AS users
       FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'tessera-%'
      GROUP BY application_name`,
  );
  return Object.fromEntries(rows.rows.map((row) => [row.application, row.users]));
}

/** Runs `sql` as `role` in a transaction that is rolled back, and returns its error code. */
async function errorCodeAs(role: string, sql: string, tenantId?: string): Promise<string | null> {
  await owner.query('BEGIN');
  try {
    await owner.query(`SET LOCAL ROLE ${role}`);
    if (tenantId) await owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    await owner.query(sql);
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  } finally {
    await owner.query('ROLLBACK');
  }
}

describe('database roles of the running processes', () => {
  it('connect each process as its own role', async () => {
    expect(await sessionUsers()).toEqual({
      'tessera-auth': ['tessera_auth'],
      'tessera-tenancy': ['tessera_tenancy'],
      'tessera-assets': ['tessera_assets'],
      'tessera-jobs': ['tessera_jobs'],
      'tessera-observability': ['tessera_observability'],
      'tessera-worker': ['tessera_worker'],
      'tessera-event-relay': ['tessera_worker'],
    });
  });

  it("refuse the assets process's role every read of auth's tables and other services' data", async () => {
    const [assetsUser] = (await sessionUsers())['tessera-assets'] ?? [];
    expect(assetsUser).toBeDefined();
    const tenant = (
      await owner.query<{ id: string }>(
        `INSERT INTO tenancy.tenants (slug, name) VALUES ('victim-' || substr(md5(random()::text), 1, 8), 'Victim') RETURNING id`,
      )
    ).rows[0]!.id;
    const attempts = [
      'SELECT email, password_hash FROM auth.users',
      'SELECT * FROM auth.sessions',
      'SELECT secret_hash FROM auth.api_keys',
      'SELECT * FROM auth.find_api_key($$abcdefabcdef$$)',
      'SELECT client_secret_encrypted FROM tenancy.oauth_providers',
      'SELECT * FROM tenancy.memberships',
      'SELECT ip, user_agent FROM events.events',
      'SELECT * FROM events.unpublished(100)',
      'SELECT body_text FROM mail.outbox',
      'SELECT secret_ciphertext FROM jobs.webhook_endpoints',
    ];
    const answers = [];
    for (const sql of attempts) {
      answers.push([sql, await errorCodeAs(assetsUser!, sql, tenant)]);
    }
    // 42501: insufficient_privilege ("permission denied").
    expect(answers).toEqual(attempts.map((sql) => [sql, '42501']));
    // Not a role that is refused everything: its own schema is there for it.
    expect(await errorCodeAs(assetsUser!, 'SELECT * FROM assets.assets', tenant)).toBeNull();
  });
});
