import type { QueryRunner } from 'typeorm';
import { DATABASE_SERVICES, schemaServices, serviceRole, type DatabaseService } from './roles';

/** The expression every tenant isolation policy compares with; NULL (no rows) when unset. */
export const CURRENT_TENANT_SQL = `nullif(current_setting('app.tenant_id', true), '')::uuid`;

/** What a service may do with the tables of its own schema. */
const TABLE_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE';

const rolesOf = (services: readonly DatabaseService[]) => services.map(serviceRole).join(', ');
const ALL_ROLES = rolesOf(DATABASE_SERVICES);
const schemaOf = (name: string) => name.slice(0, name.indexOf('.'));

/**
 * A service's own schema (roles.ts names its services). They may use it, and every table a
 * migration creates in it is theirs to read and write through default privileges of the role
 * running migrations, with no grant of its own (grantTableToApp narrows one).
 */
export async function createOwnedSchema(runner: QueryRunner, schema: string): Promise<void> {
  const roles = rolesOf(schemaServices(schema));
  await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await runner.query(`GRANT USAGE ON SCHEMA ${schema} TO ${roles}`);
  await runner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${TABLE_PRIVILEGES} ON TABLES TO ${roles}`,
  );
}

/**
 * A schema several services reach (the event journal, the mail outbox). No default privileges:
 * each of its objects names the services that may use it.
 */
export async function createSharedSchema(
  runner: QueryRunner,
  schema: string,
  services: readonly DatabaseService[],
): Promise<void> {
  await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await grantSchemaToApp(runner, schema, services);
}

/** Exactly these services may use the schema's objects (each still needs its own grant). */
export async function grantSchemaToApp(
  runner: QueryRunner,
  schema: string,
  services: readonly DatabaseService[],
): Promise<void> {
  await runner.query(`REVOKE ALL ON SCHEMA ${schema} FROM ${ALL_ROLES}`);
  if (services.length > 0) {
    await runner.query(`GRANT USAGE ON SCHEMA ${schema} TO ${rolesOf(services)}`);
  }
}

/**
 * Exactly `privileges` on the table for exactly these services (by default its schema's own),
 * and nothing for any other service: it narrows a table below its schema's default, and a
 * shared table names who may touch it.
 */
export async function grantTableToApp(
  runner: QueryRunner,
  table: string,
  privileges = TABLE_PRIVILEGES,
  services: readonly DatabaseService[] = schemaServices(schemaOf(table)),
): Promise<void> {
  await revokeTableFromApp(runner, table);
  if (services.length > 0) {
    await runner.query(`GRANT ${privileges} ON ${table} TO ${rolesOf(services)}`);
  }
}

/** No service may touch the table directly (a shared table written through functions). */
export async function revokeTableFromApp(runner: QueryRunner, table: string): Promise<void> {
  await runner.query(`REVOKE ALL ON ${table} FROM ${ALL_ROLES}`);
}

/**
 * Only these services (by default its schema's own) may execute the function. PostgreSQL lets
 * PUBLIC execute every new function, which a SECURITY DEFINER function (it reads across
 * tenants as the schema owner) must never allow.
 */
export async function grantFunctionToApp(
  runner: QueryRunner,
  signature: string,
  services: readonly DatabaseService[] = schemaServices(schemaOf(signature)),
): Promise<void> {
  await runner.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC, ${ALL_ROLES}`);
  if (services.length > 0) {
    await runner.query(`GRANT EXECUTE ON FUNCTION ${signature} TO ${rolesOf(services)}`);
  }
}

/**
 * SECURITY DEFINER functions that answer across tenants run as their owner, the role running
 * migrations: owned by a role subject to row-level security, they would quietly see nothing.
 */
export async function requireRowLevelSecurityBypass(
  runner: QueryRunner,
  functions: string,
): Promise<void> {
  const [owner] = (await runner.query(
    `SELECT current_user AS name, rolsuper OR rolbypassrls AS bypasses
       FROM pg_roles WHERE rolname = current_user`,
  )) as { name: string; bypasses: boolean }[];
  if (!owner?.bypasses) {
    throw new Error(
      `${functions} must be owned by a role that bypasses row-level security; ` +
        `migrate as a superuser or a BYPASSRLS role (not ${owner?.name ?? 'this role'})`,
    );
  }
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
