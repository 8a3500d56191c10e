import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp, requireRowLevelSecurityBypass } from '../../db/migration-helpers';

/** The most events one relay call reads; the relay's own batch size is configured below it. */
export const MAX_BATCH = 10_000;

const FUNCTIONS = [
  'events.unpublished(integer)',
  'events.mark_published(uuid[])',
  'events.relay_lag_seconds()',
];

/**
 * What the relay needs to see across tenants, and nothing more. It connects as the worker's role,
 * which row-level security confines to one tenant per transaction, so it calls these three
 * SECURITY DEFINER functions instead; they run as the schema owner (the migration role, which
 * bypasses RLS), pin their search_path, and only the worker (where the relay runs) may execute
 * them. The journal stays append-only for the services: marking an event published is the one
 * update, and only through mark_published.
 */
export class AddEventRelayFunctions1764028856000 implements MigrationInterface {
  name = 'AddEventRelayFunctions1764028856000';

  async up(runner: QueryRunner): Promise<void> {
    await this.addRelayIndexes(runner);
    await createUnpublishedFunction(runner);
    await this.createPublishFunctions(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const signature of [...FUNCTIONS].reverse()) {
      await runner.query(`DROP FUNCTION ${signature}`);
    }
    await runner.query(`DROP INDEX events.events_unpublished_occurred_idx`);
    await runner.query(`DROP INDEX events.events_tenant_type_seq_idx`);
  }

  private async addRelayIndexes(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the event relay functions');

    // events(types: …): one index range per type, newest first (see event.repository.ts).
    await runner.query(
      `CREATE INDEX events_tenant_type_seq_idx ON events.events (tenant_id, type, seq)`,
    );
    // The relay's lag: the oldest unpublished event without reading the backlog.
    await runner.query(
      `CREATE INDEX events_unpublished_occurred_idx ON events.events (occurred_at) WHERE published_at IS NULL`,
    );
  }

  private async createPublishFunctions(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION events.mark_published(ids uuid[]) RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        WITH marked AS (
          UPDATE events.events e SET published_at = clock_timestamp()
           WHERE e.id = ANY (ids) AND e.published_at IS NULL
          RETURNING 1)
        SELECT count(*)::integer FROM marked
      $fn$`);

    // NULL when nothing waits; seconds since the oldest unpublished event otherwise, on the
    // database's clock, so a skewed worker clock does not distort it.
    await runner.query(`
      CREATE FUNCTION events.relay_lag_seconds() RETURNS double precision
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT greatest(0, extract(epoch FROM clock_timestamp() - min(e.occurred_at)))::double precision
          FROM events.events e WHERE e.published_at IS NULL
      $fn$`);

    for (const signature of FUNCTIONS) {
      await grantFunctionToApp(runner, signature, ['worker']);
    }
  }
}

/**
 * events.unpublished as this migration creates it (the later say-whether-more-events-wait
 * migration puts it back on its way down).
 */
export async function createUnpublishedFunction(runner: QueryRunner): Promise<void> {
  // The oldest unpublished events, a gap-free prefix of each scope in seq order (the
  // sequence lock makes seq order commit order, so no later seq of a scope can be visible
  // while an earlier one is not). Scopes share the batch, so one busy tenant cannot hold
  // back the others: the distinct scopes come from a loose index scan of the unpublished
  // index (at most `batch` of them), then each gets an equal share of the batch.
  await runner.query(`
    CREATE FUNCTION events.unpublished(batch integer)
    RETURNS TABLE (id uuid, tenant_id uuid, seq bigint, type text, payload jsonb,
                   actor_kind text, actor_id uuid, request_id text, ip text, user_agent text,
                   occurred_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $fn$
    #variable_conflict use_column
    DECLARE
      size integer := least(greatest(coalesce(batch, 1), 1), ${MAX_BATCH});
      tenants uuid[];
      platform_waiting boolean;
      share integer;
    BEGIN
      WITH RECURSIVE scopes (scope, depth) AS (
        (SELECT e.tenant_id, 1 FROM events.events e
          WHERE e.published_at IS NULL AND e.tenant_id IS NOT NULL
          ORDER BY e.tenant_id LIMIT 1)
        UNION ALL
        SELECT (SELECT e.tenant_id FROM events.events e
                 WHERE e.published_at IS NULL AND e.tenant_id > s.scope
                 ORDER BY e.tenant_id LIMIT 1),
               s.depth + 1
          FROM scopes s WHERE s.scope IS NOT NULL AND s.depth < size
      )
      SELECT array_agg(s.scope) INTO tenants FROM scopes s WHERE s.scope IS NOT NULL;
      platform_waiting := EXISTS (
        SELECT 1 FROM events.events e WHERE e.tenant_id IS NULL AND e.published_at IS NULL);
      share := greatest(1, size / greatest(1,
        coalesce(cardinality(tenants), 0) + CASE WHEN platform_waiting THEN 1 ELSE 0 END));

      RETURN QUERY
        SELECT p.id, p.tenant_id, p.seq, p.type, p.payload, p.actor_kind, p.actor_id,
               p.request_id, p.ip, p.user_agent, p.occurred_at
          FROM (
            (SELECT e.* FROM events.events e
              WHERE platform_waiting AND e.tenant_id IS NULL AND e.published_at IS NULL
              ORDER BY e.seq LIMIT share)
            UNION ALL
            SELECT x.* FROM unnest(coalesce(tenants, '{}')) AS t(scope)
              CROSS JOIN LATERAL (
                SELECT e.* FROM events.events e
                 WHERE e.tenant_id = t.scope AND e.published_at IS NULL
                 ORDER BY e.seq LIMIT share) x
          ) p
         ORDER BY p.tenant_id NULLS FIRST, p.seq;
    END
    $fn$`);
}
