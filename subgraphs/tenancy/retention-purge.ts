import { tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import {
  countDeleted,
  type RetentionPurgeHandlers,
} from '../../platform/subgraph/routes/retention-purge.route';
import { PurgeTarget } from '../../platform/contracts/jobs/purge-targets';

/**
 * Tenancy's retention purge (platform/contracts/jobs/purge-targets.ts): invitations nobody accepted that expired
 * before the cutoff, one tenant at a time under row-level security. Accepted ones stay: they
 * record who let a member in.
 */
export function tenancyRetentionPurge(runtime: SubgraphRuntime): RetentionPurgeHandlers {
  const { dataSource } = runtime;
  return {
    [PurgeTarget.INVITATIONS]: ({ tenantId, before, batch }) =>
      tenantScope(dataSource, tenantId!).run((manager) =>
        countDeleted(
          manager,
          `DELETE FROM tenancy.invitations WHERE id IN (
             SELECT id FROM tenancy.invitations
              WHERE tenant_id = $1 AND accepted_at IS NULL AND expires_at < $2
              LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING 1`,
          [tenantId, before, batch],
        ),
      ),
  };
}
