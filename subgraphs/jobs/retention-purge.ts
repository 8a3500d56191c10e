import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import {
  countDeleted,
  type RetentionPurgeHandlers,
} from '../../platform/subgraph/routes/retention-purge.route';
import { PurgeTarget } from '../../platform/contracts/jobs/purge-targets';
import { scopeOf } from '../../platform/db/scope';

/**
 * The jobs subgraph's retention purges (platform/contracts/jobs/purge-targets.ts):
 * - the event journal, through `events.purge_before` (the services may only append to it),
 *   never an event the relay has not published;
 * - finished webhook deliveries (SUCCEEDED or DEAD), their attempts going with them
 *   (ON DELETE CASCADE); deliveries still being retried stay;
 * - dead letters, the platform's (tenant NULL) as well as each tenant's.
 * Each batch runs in the tenant's transaction, or the platform's, under row-level security.
 */
export function jobsRetentionPurge(runtime: SubgraphRuntime): RetentionPurgeHandlers {
  const { dataSource } = runtime;
  return {
    [PurgeTarget.EVENTS]: async ({ tenantId, before, batch }) => {
      const rows: { deleted: number }[] = await dataSource.query(
        `SELECT events.purge_before($1::uuid, $2, $3) AS deleted`,
        [tenantId, before, batch],
      );
      return rows[0]?.deleted ?? 0;
    },
    [PurgeTarget.WEBHOOK_DELIVERIES]: ({ tenantId, before, batch }) =>
      scopeOf(dataSource, tenantId).run((manager) =>
        countDeleted(
          manager,
          `DELETE FROM jobs.webhook_deliveries WHERE id IN (
             SELECT id FROM jobs.webhook_deliveries
              WHERE tenant_id = $1 AND created_at < $2 AND status IN ('SUCCEEDED', 'DEAD')
              LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING 1`,
          [tenantId, before, batch],
        ),
      ),
    // Spelled out per scope so both use dead_letters_tenant_failed_idx.
    [PurgeTarget.DEAD_LETTERS]: ({ tenantId, before, batch }) =>
      scopeOf(dataSource, tenantId).run((manager) =>
        countDeleted(
          manager,
          `DELETE FROM jobs.dead_letters WHERE id IN (
             SELECT id FROM jobs.dead_letters
              WHERE ${tenantId === null ? 'tenant_id IS NULL' : 'tenant_id = $3'}
                AND failed_at < $1
              LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING 1`,
          tenantId === null ? [before, batch] : [before, batch, tenantId],
        ),
      ),
  };
}
