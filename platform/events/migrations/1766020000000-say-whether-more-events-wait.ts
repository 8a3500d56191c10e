import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp, requireRowLevelSecurityBypass } from '../../db/migration-helpers';
import { createUnpublishedFunction, MAX_BATCH } from './1764028856000-add-event-relay-functions';

const UNPUBLISHED = 'events.unpublished(integer)';

/**
 * events.unpublished also says whether it may have left events out (`more`, the same on every
 * row), so the relay knows whether to ask again without restating how the function shares a
 * batch between scopes. The events returned, and their order, are as before.
 */
export class SayWhetherMoreEventsWait1766020000000 implements MigrationInterface {
  name = 'SayWhetherMoreEventsWait1766020000000';

  async up(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, 'the event relay functions');
    // A new result column changes the function's type: it is dropped and made again.
    await runner.query(`DROP FUNCTION ${UNPUBLISHED}`);
    // The oldest unpublished events, a gap-free prefix of each scope in seq order (the
    // sequence lock makes seq order commit order, so no later seq of a scope can be visible
    // while an earlier one is not). Scopes share the batch, so one busy tenant cannot hold
    // back the others: the distinct scopes come from a loose index scan of the unpublished
    // index (at most `batch` of them), then each gets an equal share of the batch.
    //
    // `more`: the batch is full (there may be further scopes, or more of one), or a scope got
    // its whole share (it may have more). Otherwise every waiting scope is in the batch with
    // all of its events.
    await runner.query(`
      CREATE FUNCTION events.unpublished(batch integer)
      RETURNS TABLE (id uuid, tenant_id uuid, seq bigint, type text, payload jsonb,
                     actor_kind text, actor_id uuid, request_id text, ip text, user_agent text,
                     occurred_at timestamptz, more boolean)
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
          WITH picked AS (
            (SELECT e.* FROM events.events e
              WHERE platform_waiting AND e.tenant_id IS NULL AND e.published_at IS NULL
              ORDER BY e.seq LIMIT share)
            UNION ALL
            SELECT x.* FROM unnest(coalesce(tenants, '{}')) AS t(scope)
              CROSS JOIN LATERAL (
                SELECT e.* FROM events.events e
                 WHERE e.tenant_id = t.scope AND e.published_at IS NULL
                 ORDER BY e.seq LIMIT share) x
          ),
          counted AS (
            SELECT p.*, count(*) OVER () AS in_batch,
                   count(*) OVER (PARTITION BY p.tenant_id) AS in_scope
              FROM picked p
          )
          SELECT c.id, c.tenant_id, c.seq, c.type, c.payload, c.actor_kind, c.actor_id,
                 c.request_id, c.ip, c.user_agent, c.occurred_at,
                 bool_or(c.in_batch >= size OR c.in_scope >= share) OVER () AS more
            FROM counted c
           ORDER BY c.tenant_id NULLS FIRST, c.seq;
      END
      $fn$`);
    await grantFunctionToApp(runner, UNPUBLISHED, ['worker']);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${UNPUBLISHED}`);
    await createUnpublishedFunction(runner);
    await grantFunctionToApp(runner, UNPUBLISHED, ['worker']);
  }
}
