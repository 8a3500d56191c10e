import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

const FUNCTION = 'tenancy.session_cap_of_user(uuid)';

/**
 * The strictest `maxSessionsPerUser` among the live tenants a user belongs to (NULL when none
 * sets one), for auth's sign-ins (platform/contracts/tenancy/session-cap.ts). It reads the
 * user's memberships across tenants, which row-level security would hide, so it is SECURITY
 * DEFINER, and answers one number, nothing about the tenants themselves.
 */
export class AddSessionCapOfUser1766005003000 implements MigrationInterface {
  name = 'AddSessionCapOfUser1766005003000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, FUNCTION);
    await runner.query(`
      CREATE FUNCTION tenancy.session_cap_of_user(uid uuid) RETURNS integer
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT min(s.max_sessions_per_user)
          FROM tenancy.memberships m
          JOIN tenancy.tenants t ON t.id = m.tenant_id AND t.deleted_at IS NULL
          JOIN tenancy.tenant_settings s ON s.tenant_id = m.tenant_id
         WHERE m.user_id = uid
      $fn$`);
    await grantFunctionToApp(runner, FUNCTION, ['tenancy']);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${FUNCTION}`);
  }
}
