import type { QueryRunner } from 'typeorm';

/** The login role services connect as: no superuser, no BYPASSRLS, only granted privileges. */
export const APP_ROLE = 'tessera_app';

/** The expression every tenant isolation policy compares with; NULL (no rows) when unset. */
export const CURRENT_TENANT_SQL = `nullif(current_setting('app.tenant_id', true), '')::uuid`;

export async function createOwnedSchema(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await runner.query(`GRANT USAGE ON SCHEMA ${schema} TO ${APP_ROLE}`);
}

export async function grantTableToApp(
  runner: QueryRunner,
  table: string,
  privileges = 'SELECT, INSERT, UPDATE, DELETE',
): Promise<void> {
  await runner.query(`GRANT ${privileges} ON ${table} TO ${APP_ROLE}`);
}

/**
 * Row-level security keyed on the transaction's tenant. FORCE applies it to the table owner
 * too, so only a BYPASSRLS role (migrations, backups) sees across tenants.
 */
export async function enableTenantIsolation(
  runner: QueryRunner,
  table: string,
  column = 'tenant_id',
): Promise<void> {
  await runner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await runner.query(
    `CREATE POLICY tenant_isolation ON ${table}
       USING (${column} = ${CURRENT_TENANT_SQL})
       WITH CHECK (${column} = ${CURRENT_TENANT_SQL})`,
  );
}
