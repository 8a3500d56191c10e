import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

const FUNCTION = 'tenancy.session_retention_overrides(uuid, integer)';

/**
 * Per user, keyset-paged by user id, the shortest `retentionDays.sessions` among the live
 * tenants the user belongs to that set one, for auth's sessions retention purge
 * (platform/contracts/tenancy/session-retention.ts). It reads memberships across tenants,
 * which row-level security would hide, so it is SECURITY DEFINER, and answers a number per
 * user, nothing about the tenants themselves.
 */
export class AddSessionRetentionOverrides1766005004000 implements MigrationInterface {
  name = 'AddSessionRetentionOverrides1766005004000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, FUNCTION);
    await runner.query(`
      CREATE FUNCTION tenancy.session_retention_overrides(after_user uuid, max_rows integer)
      RETURNS TABLE (user_id uuid, days integer)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT m.user_id, min(s.sessions_retention_days)::integer
          FROM tenancy.memberships m
          JOIN tenancy.tenants t ON t.id = m.tenant_id AND t.deleted_at IS NULL
          JOIN tenancy.tenant_settings s ON s.tenant_id = m.tenant_id
         WHERE s.sessions_retention_days IS NOT NULL
           AND (after_user IS NULL OR m.user_id > after_user)
         GROUP BY m.user_id
         ORDER BY m.user_id
         LIMIT least(greatest(coalesce(max_rows, 1), 1), 1000)
      $fn$`);
    await grantFunctionToApp(runner, FUNCTION, ['tenancy']);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${FUNCTION}`);
  }
}
