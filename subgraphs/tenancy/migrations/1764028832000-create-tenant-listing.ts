import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

/**
 * Platform administrators list tenants across every tenant, newest first, optionally by
 * status: row-level security would show none, so `tenancy.list_tenants` reads as the schema
 * owner. It answers one keyset page (at most 101 rows: a page of 100 and the row that tells
 * another page exists) with each tenant's settings, so a page costs one query, and the exact
 * created_at as text (microseconds, which a JavaScript Date loses) for the cursor.
 */
export class CreateTenantListing1764028832000 implements MigrationInterface {
  name = 'CreateTenantListing1764028832000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX tenants_created_idx ON tenancy.tenants (created_at DESC, id DESC)
        WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX tenants_status_created_idx
         ON tenancy.tenants (status, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(`
      CREATE FUNCTION tenancy.list_tenants(
        status_filter text,
        after_created timestamptz,
        after_id uuid,
        max_rows integer
      )
      RETURNS TABLE (
        id uuid,
        slug text,
        name text,
        status text,
        created_at timestamptz,
        deleted_at timestamptz,
        cursor_at text,
        events_retention_days integer,
        webhook_deliveries_retention_days integer,
        deleted_assets_retention_days integer,
        sessions_retention_days integer,
        max_sessions_per_user integer,
        allowed_origins text[]
      )
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT t.id, t.slug, t.name, t.status, t.created_at, t.deleted_at,
               to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               s.events_retention_days, s.webhook_deliveries_retention_days,
               s.deleted_assets_retention_days, s.sessions_retention_days,
               s.max_sessions_per_user, s.allowed_origins
          FROM tenancy.tenants t
          LEFT JOIN tenancy.tenant_settings s ON s.tenant_id = t.id
         WHERE t.deleted_at IS NULL
           AND (status_filter IS NULL OR t.status = status_filter)
           AND (after_created IS NULL OR (t.created_at, t.id) < (after_created, after_id))
         ORDER BY t.created_at DESC, t.id DESC
         LIMIT least(greatest(max_rows, 0), 101)
      $$`);
    const signature = 'tenancy.list_tenants(text, timestamptz, uuid, integer)';
    await grantFunctionToApp(runner, signature);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION tenancy.list_tenants(text, timestamptz, uuid, integer)`);
    await runner.query(`DROP INDEX tenancy.tenants_status_created_idx`);
    await runner.query(`DROP INDEX tenancy.tenants_created_idx`);
  }
}
