import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

const FUNCTION = 'tenancy.tenant_statuses(uuid[])';

/**
 * The status of many tenants at once, for the internal tenant status lookup (other services
 * stop their background work for a suspended tenant). The app role sees one tenant per
 * transaction, hence a SECURITY DEFINER function; it answers the status alone, and only of
 * live tenants (a deleted one reads as absent).
 */
export class CreateTenantStatuses1765007001000 implements MigrationInterface {
  name = 'CreateTenantStatuses1765007001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION ${FUNCTION.replace('uuid[]', 'ids uuid[]')}
      RETURNS TABLE (id uuid, status text)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT t.id, t.status FROM tenancy.tenants t
         WHERE t.id = ANY(ids) AND t.deleted_at IS NULL
      $$`);
    await grantFunctionToApp(runner, FUNCTION);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${FUNCTION}`);
  }
}
