import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOwnedSchema, createSharedSchema, grantFunctionToApp } from '../migration-helpers';
import { DATABASE_SERVICES, OWNED_SCHEMAS, serviceRole, type DatabaseService } from '../roles';

/** The role every service shared before each got its own. */
const LEGACY_ROLE = 'tessera_app';
const SHARED_SCHEMAS = ['events', 'mail'];
const SCHEMAS = [...Object.keys(OWNED_SCHEMAS), ...SHARED_SCHEMAS];

/** Every function the legacy role could execute, and the services that call it. */
const FUNCTIONS: [string, DatabaseService[]][] = [
  ['auth.find_api_key(text)', ['auth']],
  ['auth.touch_api_keys(uuid[], timestamptz)', ['auth']],
  ['auth.oauth_links_of_user(uuid)', ['auth']],
  ['tenancy.memberships_of_user(uuid)', ['tenancy']],
  ['tenancy.role_of(uuid, uuid)', ['tenancy']],
  ['tenancy.allowed_origins(uuid, text)', ['tenancy']],
  ['tenancy.list_tenants(text, timestamptz, uuid, integer)', ['tenancy']],
  ['tenancy.open_invitation_tenant(text)', ['tenancy']],
  ['tenancy.oauth_secrets_to_reencrypt(text, uuid, integer)', ['tenancy']],
  ['tenancy.count_oauth_secrets_to_reencrypt(text)', ['tenancy']],
  ['jobs.active_webhook_tenants(uuid[])', ['worker']],
  ['jobs.admin_dead_letters(text, uuid, timestamptz, uuid, integer)', ['jobs']],
  ['jobs.dead_letter_scope(uuid)', ['jobs']],
  ['jobs.webhook_secrets_to_reencrypt(text, uuid, integer)', ['jobs']],
  ['jobs.count_webhook_secrets_to_reencrypt(text)', ['jobs']],
  ['observability.alert_tenants()', ['observability']],
  ['events.unpublished(integer)', ['worker']],
  ['events.mark_published(uuid[])', ['worker']],
  ['events.relay_lag_seconds()', ['worker']],
  ['events.purge_before(uuid, timestamptz, integer)', ['jobs']],
  ['events.retention_scopes(uuid, integer)', ['worker']],
];

/**
 * The upgrade from one shared role to one role per service. A database migrated before this
 * release granted everything to `tessera_app`: each table's privileges go to the services of
 * its schema (every service, for the shared journal and mail outbox, which later migrations
 * narrow) and each function to the services that call it, as the earlier migrations now grant
 * them on a fresh database (where this changes nothing). Then `tessera_app` loses every
 * privilege in this database. The role itself stays: roles belong to the whole server, whose
 * other databases may still use it (`DROP ROLE tessera_app` once none does).
 *
 * Reverting gives `tessera_app` what the services hold (creating it if it is gone), which is
 * what it had, so the previous release runs again; the service roles keep their grants,
 * harmless with nothing connected as them.
 */
export class MoveGrantsToServiceRoles1765004000000 implements MigrationInterface {
  name = 'MoveGrantsToServiceRoles1765004000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const schema of Object.keys(OWNED_SCHEMAS)) await createOwnedSchema(runner, schema);
    for (const schema of SHARED_SCHEMAS) {
      await createSharedSchema(runner, schema, DATABASE_SERVICES);
    }
    for (const [signature, services] of FUNCTIONS) {
      await grantFunctionToApp(runner, signature, services);
    }
    if (!(await legacyRoleExists(runner))) return;

    for (const { table, schema, privileges } of await tablePrivileges(runner, [LEGACY_ROLE])) {
      const services = OWNED_SCHEMAS[schema] ?? DATABASE_SERVICES;
      await runner.query(
        `GRANT ${privileges} ON ${table} TO ${services.map(serviceRole).join(', ')}`,
      );
    }
    for (const schema of SCHEMAS) {
      await runner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${LEGACY_ROLE}`);
      await runner.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${schema} FROM ${LEGACY_ROLE}`);
      await runner.query(`REVOKE ALL ON SCHEMA ${schema} FROM ${LEGACY_ROLE}`);
    }
  }

  // The legacy role is no service's, so no helper grants to it: it gets its old grants back here.
  async down(runner: QueryRunner): Promise<void> {
    if (!(await legacyRoleExists(runner))) {
      await runner.query(
        `CREATE ROLE ${LEGACY_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
      );
    }
    for (const schema of SCHEMAS) {
      await runner.query(`GRANT USAGE ON SCHEMA ${schema} TO ${LEGACY_ROLE}`);
    }
    const services = DATABASE_SERVICES.map(serviceRole);
    for (const { table, privileges } of await tablePrivileges(runner, services)) {
      await runner.query(`GRANT ${privileges} ON ${table} TO ${LEGACY_ROLE}`);
    }
    for (const [signature] of FUNCTIONS) {
      await runner.query(`GRANT EXECUTE ON FUNCTION ${signature} TO ${LEGACY_ROLE}`);
    }
  }
}

async function legacyRoleExists(runner: QueryRunner): Promise<boolean> {
  const rows = (await runner.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [
    LEGACY_ROLE,
  ])) as unknown[];
  return rows.length > 0;
}

/** Each table of Tessera's schemas on which any of `roles` holds privileges, with all of them. */
async function tablePrivileges(
  runner: QueryRunner,
  roles: string[],
): Promise<{ table: string; schema: string; privileges: string }[]> {
  return (await runner.query(
    `SELECT format('%I.%I', n.nspname, c.relname) AS table, n.nspname AS schema,
            string_agg(DISTINCT a.privilege_type, ', ') AS privileges
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL aclexplode(c.relacl) a
       JOIN pg_roles r ON r.oid = a.grantee
      WHERE r.rolname = ANY($1) AND n.nspname = ANY($2) AND c.relkind IN ('r', 'p', 'v')
      GROUP BY n.nspname, c.relname
      ORDER BY 1`,
    [roles, SCHEMAS],
  )) as { table: string; schema: string; privileges: string }[];
}
