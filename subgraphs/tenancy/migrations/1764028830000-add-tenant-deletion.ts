import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deleteTenant` marks a tenant deleted (`deleted_at`) and a background job purges its rows
 * afterwards. From the mark on, the tenant must read like one that does not exist: the role
 * lookup answers no row (the gateway refuses everyone, API keys included) and it leaves its
 * members' tenant lists. Both SECURITY DEFINER functions keep their signatures, so callers
 * do not change.
 */
export class AddTenantDeletion1764028830000 implements MigrationInterface {
  name = 'AddTenantDeletion1764028830000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE tenancy.tenants ADD COLUMN deleted_at timestamptz`);
    await runner.query(roleOf('AND t.deleted_at IS NULL'));
    await runner.query(membershipsOfUser('AND t.deleted_at IS NULL'));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(membershipsOfUser(''));
    await runner.query(roleOf(''));
    await runner.query(`ALTER TABLE tenancy.tenants DROP COLUMN deleted_at`);
  }
}

// CREATE OR REPLACE keeps the owner, the grants and the REVOKE from PUBLIC of the originals.
function roleOf(filter: string): string {
  return `
    CREATE OR REPLACE FUNCTION tenancy.role_of(tid uuid, uid uuid)
    RETURNS TABLE (role text, tenant_status text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, tenancy, pg_temp
    AS $$
      SELECT m.role, t.status
        FROM tenancy.tenants t
        LEFT JOIN tenancy.memberships m ON m.tenant_id = t.id AND m.user_id = uid
       WHERE t.id = tid ${filter}
    $$`;
}

function membershipsOfUser(filter: string): string {
  return `
    CREATE OR REPLACE FUNCTION tenancy.memberships_of_user(uid uuid)
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
       WHERE m.user_id = uid ${filter}
       ORDER BY m.created_at, m.id
    $$`;
}
