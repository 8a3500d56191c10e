import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

/**
 * A tenant's settings, one row per tenant, written on its first `updateTenantSettings`. NULL
 * (and a missing row) means the platform default, kept in code
 * (platform/contracts/tenancy/tenant-settings.ts), so a default can change without touching rows.
 *
 * The gateway's CORS asks which origins tenants allow before any tenant is known (a preflight
 * has no X-Tenant-Id), so `tenancy.allowed_origins` answers across tenants as the schema
 * owner, and only with origins: nothing about which tenant allows them.
 */
export class CreateTenantSettings1764028831000 implements MigrationInterface {
  name = 'CreateTenantSettings1764028831000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tenancy.tenant_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenancy.tenants (id) ON DELETE CASCADE,
        events_retention_days integer CHECK (events_retention_days BETWEEN 1 AND 3650),
        webhook_deliveries_retention_days integer
          CHECK (webhook_deliveries_retention_days BETWEEN 1 AND 3650),
        deleted_assets_retention_days integer
          CHECK (deleted_assets_retention_days BETWEEN 1 AND 3650),
        sessions_retention_days integer CHECK (sessions_retention_days BETWEEN 1 AND 3650),
        max_sessions_per_user integer CHECK (max_sessions_per_user BETWEEN 1 AND 1000),
        allowed_origins text[] NOT NULL DEFAULT '{}' CHECK (
          cardinality(allowed_origins) <= 50
          AND array_position(allowed_origins, NULL) IS NULL
          -- Each one scheme://host[:port]: no path, query, fragment, credentials or wildcard.
          AND array_to_string(allowed_origins, ' ') ~ '^(https?://[^/?#@*[:space:]]+( |$))*$'
        ),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // "Does any tenant allow this origin?": containment on the array.
    await runner.query(
      `CREATE INDEX tenant_settings_allowed_origins_idx
         ON tenancy.tenant_settings USING gin (allowed_origins)`,
    );
    await grantTableToApp(runner, 'tenancy.tenant_settings');
    await enableTenantIsolation(runner, 'tenancy.tenant_settings');

    // Filters are optional (NULL: every tenant, every origin). Deleted tenants allow nothing.
    await runner.query(`
      CREATE FUNCTION tenancy.allowed_origins(tid uuid, wanted text)
      RETURNS TABLE (origin text)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT DISTINCT o.origin
          FROM tenancy.tenant_settings s
          JOIN tenancy.tenants t ON t.id = s.tenant_id AND t.deleted_at IS NULL
          CROSS JOIN LATERAL unnest(s.allowed_origins) AS o (origin)
         WHERE (tid IS NULL OR s.tenant_id = tid)
           AND (wanted IS NULL OR (s.allowed_origins @> ARRAY[wanted] AND o.origin = wanted))
         ORDER BY o.origin
      $$`);
    await grantFunctionToApp(runner, 'tenancy.allowed_origins(uuid, text)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION tenancy.allowed_origins(uuid, text)`);
    await runner.query(`DROP TABLE tenancy.tenant_settings`);
  }
}
