import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  grantFunctionToApp,
  requireRowLevelSecurityBypass,
} from '../../db/migration-helpers';

const POSITION = 'events.journal_position()';
const COUNT = 'events.journal_count(text, bigint, bigint)';
/** The counter scope of platform events: not a tenant. */
const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';

/**
 * The journal figures an owner's alert rules watch, for observability, which may not read the
 * journal's tables: the scope's last sequence number, and how many of its events of one type
 * lie between two positions. Both are bounded to the calling transaction's scope (its tenant,
 * or the platform when none is set), like `events.audit_entries`, and answer numbers only.
 */
export class AddJournalMeasureFunctions1765007003000 implements MigrationInterface {
  name = 'AddJournalMeasureFunctions1765007003000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the journal measure functions');
    await runner.query(`
      CREATE FUNCTION events.journal_position() RETURNS bigint
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT coalesce((SELECT s.last_seq FROM events.sequences s
                          WHERE s.scope = coalesce(${CURRENT_TENANT_SQL}, '${PLATFORM_SCOPE}'::uuid)), 0)
      $fn$`);
    // Two spellings of the scope, so both use events_tenant_type_seq_idx.
    await runner.query(`
      CREATE FUNCTION events.journal_count(event_type text, after_seq bigint, up_to_seq bigint)
      RETURNS integer
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        scope uuid := ${CURRENT_TENANT_SQL};
        n integer;
      BEGIN
        IF scope IS NULL THEN
          SELECT count(*) INTO n FROM events.events e
           WHERE e.tenant_id IS NULL AND e.type = event_type
             AND e.seq > after_seq AND e.seq <= up_to_seq;
        ELSE
          SELECT count(*) INTO n FROM events.events e
           WHERE e.tenant_id = scope AND e.type = event_type
             AND e.seq > after_seq AND e.seq <= up_to_seq;
        END IF;
        RETURN n;
      END
      $fn$`);
    await grantFunctionToApp(runner, POSITION, ['observability']);
    await grantFunctionToApp(runner, COUNT, ['observability']);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${COUNT}`);
    await runner.query(`DROP FUNCTION ${POSITION}`);
  }
}
