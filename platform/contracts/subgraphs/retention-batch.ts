/**
 * What the retention route of a subgraph (platform/contracts/subgraphs/retention-purge.ts)
 * runs: one handler per purge target the subgraph owns.
 */

/** Rows per DELETE: small, so no purge holds locks or a connection for long. */
export const DEFAULT_PURGE_BATCH = 500;
export const MAX_PURGE_BATCH = 5_000;

/** What one handler gets: the cutoff parsed, the tenant lower-cased. */
export interface RetentionBatch {
  tenantId: string | null;
  before: Date;
  batch: number;
}

/**
 * Deletes at most `batch` rows of one target that are past `before` and answers how many
 * went; the route calls it until fewer than `batch` go. Handlers of `tenants` targets are
 * never called with a null tenant, and those of `global` ones never with a tenant.
 */
export type RetentionPurgeHandler = (request: RetentionBatch) => Promise<number>;
