import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp, requireRowLevelSecurityBypass } from '../../db/migration-helpers';
import { type DatabaseService } from '../../db/roles';

/** The most events one purge call deletes, whatever batch it asks for. */
const MAX_BATCH = 10_000;
/** The counter scope of platform events: not a tenant. */
const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';

/** Each function, and who calls it: the jobs API deletes, the worker pages through tenants. */
const FUNCTIONS: [string, DatabaseService][] = [
  ['events.purge_before(uuid, timestamptz, integer)', 'jobs'],
  ['events.retention_scopes(uuid, integer)', 'worker'],
];

/**
 * The journal's retention purge. The services may only append to events.events, so deleting
 * goes through two SECURITY DEFINER functions owned by the schema owner (like the relay's):
 * `purge_before` deletes one batch of a tenant's (NULL: the platform's) events that occurred
 * before the cutoff, never one the relay has not published yet; `retention_scopes` pages
 * through the tenants that have a journal, deleted tenants included, whose events outlive
 * their tenant purge until this one.
 */
export class AddEventRetentionFunctions1764028874000 implements MigrationInterface {
  name = 'AddEventRetentionFunctions1764028874000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the event retention functions');

    // Two statements rather than "IS NOT DISTINCT FROM", so both use events_tenant_occurred_idx.
    await runner.query(`
      CREATE FUNCTION events.purge_before(tenant uuid, before timestamptz, batch integer)
      RETURNS integer
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        size integer := least(greatest(coalesce(batch, 1), 1), ${MAX_BATCH});
        deleted integer;
      BEGIN
        IF tenant IS NULL THEN
          DELETE FROM events.events e WHERE e.id IN (
            SELECT x.id FROM events.events x
             WHERE x.tenant_id IS NULL AND x.occurred_at < before AND x.published_at IS NOT NULL
             LIMIT size FOR UPDATE SKIP LOCKED);
        ELSE
          DELETE FROM events.events e WHERE e.id IN (
            SELECT x.id FROM events.events x
             WHERE x.tenant_id = tenant AND x.occurred_at < before AND x.published_at IS NOT NULL
             LIMIT size FOR UPDATE SKIP LOCKED);
        END IF;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        RETURN deleted;
      END
      $fn$`);

    await runner.query(`
      CREATE FUNCTION events.retention_scopes(after uuid, max_rows integer)
      RETURNS TABLE (tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT s.scope FROM events.sequences s
         WHERE s.scope <> '${PLATFORM_SCOPE}' AND (after IS NULL OR s.scope > after)
         ORDER BY s.scope
         LIMIT least(greatest(coalesce(max_rows, 1), 1), 1000)
      $fn$`);

    for (const [signature, service] of FUNCTIONS) {
      await grantFunctionToApp(runner, signature, [service]);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [signature] of [...FUNCTIONS].reverse()) {
      await runner.query(`DROP FUNCTION ${signature}`);
    }
  }
}
