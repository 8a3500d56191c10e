import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

/**
 * Who belongs to which tenant, with what role. `user_id` names an `auth.users` row but has no
 * foreign key: each service owns its schema, and a deleted user's memberships are removed by
 * the auth purge, not by a cascade across owners.
 *
 * Two questions are asked before a tenant is known (a user's tenants; the gateway's role
 * lookup), so row-level security would hide every row. They are answered by SECURITY DEFINER
 * functions that run as the schema owner, which bypasses RLS (migrations run as a BYPASSRLS
 * role), and return only what the question needs. Every name inside is schema-qualified and
 * `pg_temp` comes last on the search path, so the calling role cannot shadow a table.
 */
export class CreateMemberships1764028820000 implements MigrationInterface {
  name = 'CreateMemberships1764028820000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tenancy.memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenancy.tenants (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_tenant_user_key UNIQUE (tenant_id, user_id)
      )`);
    // myTenants and the owned-tenant cap look memberships up by user.
    await runner.query(`CREATE INDEX memberships_user_id_idx ON tenancy.memberships (user_id)`);
    await grantTableToApp(runner, 'tenancy.memberships');
    await enableTenantIsolation(runner, 'tenancy.memberships');

    await runner.query(`
      CREATE FUNCTION tenancy.memberships_of_user(uid uuid)
      RETURNS TABLE (
        id uuid,
        tenant_id uuid,
        role text,
        created_at timestamptz,
        tenant_slug text,
        tenant_name text,
        tenant_status text,
        tenant_created_at timestamptz
      )
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT m.id, m.tenant_id, m.role, m.created_at,
               t.slug, t.name, t.status, t.created_at
          FROM tenancy.memberships m
          JOIN tenancy.tenants t ON t.id = m.tenant_id
         WHERE m.user_id = uid
         ORDER BY m.created_at, m.id
      $$`);
    // The tenant's status comes back for non-members too, so the gateway can tell a suspended
    // tenant (TENANT_SUSPENDED) from one the caller does not belong to (FORBIDDEN). No row:
    // no such tenant.
    await runner.query(`
      CREATE FUNCTION tenancy.role_of(tid uuid, uid uuid)
      RETURNS TABLE (role text, tenant_status text)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT m.role, t.status
          FROM tenancy.tenants t
          LEFT JOIN tenancy.memberships m ON m.tenant_id = t.id AND m.user_id = uid
         WHERE t.id = tid
      $$`);
    for (const signature of ['tenancy.memberships_of_user(uuid)', 'tenancy.role_of(uuid, uuid)']) {
      await grantFunctionToApp(runner, signature);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION tenancy.role_of(uuid, uuid)`);
    await runner.query(`DROP FUNCTION tenancy.memberships_of_user(uuid)`);
    await runner.query(`DROP TABLE tenancy.memberships`);
  }
}
