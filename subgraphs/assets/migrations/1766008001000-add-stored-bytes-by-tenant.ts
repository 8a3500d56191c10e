import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';
import { serviceRole } from '../../../platform/db/roles';

const STORED_BYTES = 'assets.stored_bytes_by_tenant()';

/**
 * The bytes every tenant's assets hold (pending uploads and soft-deleted assets included, as
 * the storage quota counts them), which the worker samples into the daily usage report: one
 * pass across tenants, through a function, so the worker reads no asset row itself.
 */
export class AddStoredBytesByTenant1766008001000 implements MigrationInterface {
  name = 'AddStoredBytesByTenant1766008001000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, STORED_BYTES);
    await runner.query(`
      CREATE FUNCTION ${STORED_BYTES}
        RETURNS TABLE (tenant_id uuid, bytes bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, assets
        AS $$ SELECT tenant_id, sum(size_bytes)::bigint FROM assets.assets GROUP BY tenant_id $$`);
    // Calling a function of the schema takes USAGE on it; no table of it is granted.
    await runner.query(`GRANT USAGE ON SCHEMA assets TO ${serviceRole('worker')}`);
    await grantFunctionToApp(runner, STORED_BYTES, ['worker']);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${STORED_BYTES}`);
    await runner.query(`REVOKE USAGE ON SCHEMA assets FROM ${serviceRole('worker')}`);
  }
}
