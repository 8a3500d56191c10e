import { tenantScope } from '../../platform/db/scope';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import {
  countDeleted,
  type RetentionPurgeHandlers,
} from '../../platform/subgraph/routes/retention-purge.route';
import { PurgeTarget } from '../../platform/contracts/jobs/purge-targets';
import { type RetentionBatch } from '../../platform/contracts/subgraphs/retention-batch';
import type { AssetsServices } from './services/assets-services';

/** Blob deletions in flight at once per batch. */
const BLOB_CONCURRENCY = 8;

/**
 * Assets' retention purges (platform/contracts/jobs/purge-targets.ts): soft-deleted assets past the tenant's
 * retention, and uploads declared but never completed (their signed URL expired long before).
 * Each batch locks its rows, deletes their blobs from the store, then the rows, in one tenant
 * transaction: a restoreAsset racing the purge waits for the lock and then finds nothing, so
 * no asset comes back without its bytes. A row whose blob could not be deleted stays for the
 * next run, and the call fails so the run records why.
 */
export function assetsRetentionPurge(
  runtime: SubgraphRuntime,
  services: AssetsServices,
): RetentionPurgeHandlers {
  const purge =
    (expired: string) =>
    ({ tenantId, before, batch }: RetentionBatch): Promise<number> =>
      purgeBatch(runtime, services, expired, { tenantId: tenantId!, before, batch });
  return {
    [PurgeTarget.DELETED_ASSETS]: purge(`status = 'DELETED' AND deleted_at < $2`),
    [PurgeTarget.PENDING_UPLOADS]: purge(`status = 'PENDING' AND created_at < $2`),
  };
}

async function purgeBatch(
  runtime: SubgraphRuntime,
  services: AssetsServices,
  expired: string,
  { tenantId, before, batch }: { tenantId: string; before: Date; batch: number },
): Promise<number> {
  let failures = 0;
  const deleted = await tenantScope(runtime.dataSource, tenantId).run(async (manager) => {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM assets.assets WHERE tenant_id = $1 AND ${expired}
        LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [tenantId, before, batch],
    );
    const gone: string[] = [];
    for (let start = 0; start < rows.length; start += BLOB_CONCURRENCY) {
      const slice = rows.slice(start, start + BLOB_CONCURRENCY);
      const results = await Promise.allSettled(
        slice.map(({ id }) => services.store.delete({ tenantId, assetId: id })),
      );
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') gone.push(slice[index]!.id);
        else {
          failures += 1;
          runtime.logger.warn(
            { err: result.reason, tenantId, assetId: slice[index]!.id },
            'blob could not be deleted; the asset waits for the next purge',
          );
        }
      });
    }
    if (gone.length === 0) return 0;
    return countDeleted(manager, `DELETE FROM assets.assets WHERE id = ANY($1) RETURNING 1`, [
      gone,
    ]);
  });
  if (failures > 0) {
    throw new Error(`${failures} blobs of tenant ${tenantId} could not be deleted`);
  }
  return deleted;
}
