import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  grantFunctionToApp,
  grantTableToApp,
  requireRowLevelSecurityBypass,
  revokeTableFromApp,
} from '../../db/migration-helpers';
import { DATABASE_SERVICES } from '../../db/roles';

const APPEND = 'events.append_event(uuid, text, jsonb, text, uuid, text, text, text, text)';
const AUDIT = 'events.audit_entries(text[], uuid, bigint, integer)';
/** The counter scope of platform events: not a tenant. */
const PLATFORM_SCOPE = '00000000-0000-0000-0000-000000000000';
/** An audit page is at most 100 entries, and one more tells that another page exists. */
const MAX_AUDIT_ROWS = 101;

/**
 * Every service appends to the journal, but only the jobs service (its API and its worker) reads
 * it: an SQL injection elsewhere must not read a tenant's whole history, actors' IPs included.
 * So the services lose their direct privileges on the journal's tables and reach them through
 * two SECURITY DEFINER functions, each bounded to the calling transaction's scope (its tenant,
 * or the platform when none is set), as row-level security bounded the direct statements:
 *
 * - `append_event`, for every service: draws the scope's next seq and inserts the event. The
 *   counter row stays locked until the caller's transaction ends, as before, so seq order is
 *   still commit order. An event for another scope is refused with insufficient_privilege.
 * - `audit_entries`, for observability's audit log: a page of the scope's events of the given
 *   types, newest first, one index range per type (events_tenant_type_seq_idx).
 *
 * The jobs API and the worker keep SELECT on events.events (the events query, webhook fan-out
 * and replays), under row-level security.
 */
export class ReachTheJournalThroughFunctions1765004001000 implements MigrationInterface {
  name = 'ReachTheJournalThroughFunctions1765004001000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the journal functions');

    await runner.query(`
      CREATE FUNCTION events.append_event(
        tenant uuid, event_type text, event_payload jsonb, kind text, actor uuid,
        request text, client_ip text, agent text, trace text)
      RETURNS TABLE (id uuid, seq bigint)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        drawn bigint;
      BEGIN
        IF tenant IS DISTINCT FROM ${CURRENT_TENANT_SQL} THEN
          RAISE EXCEPTION 'an event of % cannot be appended in this transaction''s scope',
            coalesce(tenant::text, 'the platform') USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO events.sequences AS s (scope, last_seq)
        VALUES (coalesce(tenant, '${PLATFORM_SCOPE}'::uuid), 1)
        ON CONFLICT ON CONSTRAINT sequences_pkey DO UPDATE SET last_seq = s.last_seq + 1
        RETURNING s.last_seq INTO drawn;
        RETURN QUERY
          INSERT INTO events.events AS e
            (tenant_id, seq, type, payload, actor_kind, actor_id, request_id, ip, user_agent,
             traceparent)
          VALUES (tenant, drawn, event_type, event_payload, kind, actor, request, client_ip,
                  agent, trace)
          RETURNING e.id, e.seq;
      END
      $fn$`);

    await runner.query(`
      CREATE FUNCTION events.audit_entries(
        actions text[], actor uuid, before_seq bigint, max_rows integer)
      RETURNS TABLE (id uuid, seq bigint, type text, payload jsonb, actor_kind text,
                     actor_id uuid, request_id text, ip text, user_agent text,
                     occurred_at timestamptz)
      LANGUAGE plpgsql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
      DECLARE
        scope uuid := ${CURRENT_TENANT_SQL};
        size integer := least(greatest(coalesce(max_rows, 1), 1), ${MAX_AUDIT_ROWS});
      BEGIN
        -- Two spellings of the scope, so both use the index (IS NOT DISTINCT FROM would not).
        IF scope IS NULL THEN
          RETURN QUERY
            SELECT x.id, x.seq, x.type, x.payload, x.actor_kind, x.actor_id, x.request_id,
                   x.ip, x.user_agent, x.occurred_at
              FROM unnest(actions) AS a (action)
             CROSS JOIN LATERAL (
               SELECT * FROM events.events e
                WHERE e.tenant_id IS NULL AND e.type = a.action
                  AND (actor IS NULL OR e.actor_id = actor)
                  AND (before_seq IS NULL OR e.seq < before_seq)
                ORDER BY e.seq DESC LIMIT size) x
             ORDER BY x.seq DESC LIMIT size;
        ELSE
          RETURN QUERY
            SELECT x.id, x.seq, x.type, x.payload, x.actor_kind, x.actor_id, x.request_id,
                   x.ip, x.user_agent, x.occurred_at
              FROM unnest(actions) AS a (action)
             CROSS JOIN LATERAL (
               SELECT * FROM events.events e
                WHERE e.tenant_id = scope AND e.type = a.action
                  AND (actor IS NULL OR e.actor_id = actor)
                  AND (before_seq IS NULL OR e.seq < before_seq)
                ORDER BY e.seq DESC LIMIT size) x
             ORDER BY x.seq DESC LIMIT size;
        END IF;
      END
      $fn$`);

    await grantFunctionToApp(runner, APPEND, DATABASE_SERVICES);
    await grantFunctionToApp(runner, AUDIT, ['observability']);
    await grantTableToApp(runner, 'events.events', 'SELECT', ['jobs', 'worker']);
    await revokeTableFromApp(runner, 'events.sequences');
  }

  async down(runner: QueryRunner): Promise<void> {
    await grantTableToApp(runner, 'events.sequences', 'SELECT, INSERT, UPDATE', DATABASE_SERVICES);
    await grantTableToApp(runner, 'events.events', 'SELECT, INSERT', DATABASE_SERVICES);
    await runner.query(`DROP FUNCTION ${AUDIT}`);
    await runner.query(`DROP FUNCTION ${APPEND}`);
  }
}
