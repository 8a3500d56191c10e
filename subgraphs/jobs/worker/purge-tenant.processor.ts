import type { Logger } from 'pino';
import { tenantPurgeCall } from '../../../platform/contracts/subgraphs/tenant-purge';
import type { InternalClient } from '../../../platform/internal-calls/client';
import type { SubgraphName } from '../../../platform/paths';
import { tenantPurgeJobSchema } from '../../../platform/contracts/jobs/tenant-purge-job';

export interface TenantPurgeResult {
  tenantId: string;
  /** Rows deleted by this run, by `schema.table`. */
  deleted: Record<string, number>;
  total: number;
}

/** Calls to one subgraph before the run gives up on it (each deletes for up to ~10 s). */
const MAX_CALLS_PER_SUBGRAPH = 1_000;

/**
 * The subgraphs in purge order: tenancy last, so a tenant whose purge fails halfway still
 * exists, marked deleted and refused, and the retried job can finish it (the others ask
 * tenancy whether the tenant is deleted before they purge).
 */
export const PURGE_ORDER: readonly SubgraphName[] = [
  'auth',
  'assets',
  'jobs',
  'observability',
  'tenancy',
];

/**
 * The `purge-tenant` job: asks each subgraph, through its signed internal route, to delete
 * the deleted tenant's rows, repeating while a subgraph reports more to do. Any failure
 * throws, and BullMQ retries the whole run later; every step is idempotent.
 */
export async function purgeTenant(
  data: unknown,
  options: { internal: InternalClient; logger: Logger },
): Promise<TenantPurgeResult> {
  const { tenantId } = tenantPurgeJobSchema.parse(data);
  const deleted: Record<string, number> = {};
  for (const subgraph of PURGE_ORDER) {
    let complete = false;
    for (let call = 0; !complete; call += 1) {
      if (call >= MAX_CALLS_PER_SUBGRAPH) {
        throw new Error(`${subgraph} did not finish purging tenant ${tenantId}`);
      }
      const answer = await options.internal.call(tenantPurgeCall, { tenantId }, { to: subgraph });
      for (const [table, count] of Object.entries(answer.deleted)) {
        deleted[table] = (deleted[table] ?? 0) + count;
      }
      complete = answer.complete;
    }
  }
  const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
  options.logger.info({ tenantId, deleted, total }, 'tenant purged');
  return { tenantId, deleted, total };
}
