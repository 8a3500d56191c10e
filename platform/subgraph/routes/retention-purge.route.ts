import {
  retentionPurgeCall,
  type RetentionPurgeAnswer,
} from '../../contracts/subgraphs/retention-purge';
import { ConflictError, NotFoundError, ValidationError } from '../../errors/domain-errors';
import { signedJsonRoute, type SignedRouteRuntime } from '../../http/signed-json-route';
import { type RequestHandler } from '../../http/service-server';
import {
  PURGE_TARGET_SPECS,
  type PurgeTarget,
  type PurgeTargetSpec,
} from '../../contracts/jobs/purge-targets';
import { type RetentionPurgeHandler } from '../../contracts/subgraphs/retention-batch';
import { RETENTION_DAYS_MIN } from '../../contracts/tenancy/tenant-settings';
import { deleteInBatches } from '../../db/batched-deletion';

/** A subgraph's handlers, one per target it owns (see platform/contracts/jobs/purge-targets.ts). */
export type RetentionPurgeHandlers = Partial<Record<PurgeTarget, RetentionPurgeHandler>>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far the worker's clock may run ahead of this process's without its purges refused. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The least a target keeps its rows: its fixed days, or the lowest a tenant may set. */
function shortestRetentionDays(spec: PurgeTargetSpec): number {
  return 'days' in spec.retention ? spec.retention.days : RETENTION_DAYS_MIN;
}

/**
 * `POST /internal/retention-purge` of a subgraph (platform/contracts/subgraphs/): runs the
 * target's handler batch after batch until a short batch or the time budget, and answers what
 * went. Like the tenant purge, it only deletes: which rows are expired is the handler's SQL,
 * bounded by row-level security to the tenant named, and a cutoff more recent than the
 * target's shortest retention is refused (409) before anything is deleted.
 */
export function retentionPurgeRoute(
  runtime: SignedRouteRuntime,
  handlers: RetentionPurgeHandlers,
  options: { budgetMs?: number } = {},
): RequestHandler {
  const budgetMs = options.budgetMs ?? 10_000;
  const { logger } = runtime;

  return signedJsonRoute(runtime, retentionPurgeCall, async (request) => {
    const target = request.target as PurgeTarget;
    const handler = handlers[target];
    if (!handler) throw new NotFoundError(`Purge target ${target} of this service`);
    const spec = PURGE_TARGET_SPECS[target];
    const tenantId = request.tenantId?.toLowerCase() ?? null;
    if (spec.scope === 'global' && tenantId !== null) {
      throw new ValidationError(`${target} has no tenant: send "tenantId": null`);
    }
    if (spec.scope === 'tenants' && tenantId === null) {
      throw new ValidationError(`${target} is purged tenant by tenant`);
    }
    const before = new Date(request.before);
    const days = shortestRetentionDays(spec);
    if (before.getTime() > Date.now() - days * DAY_MS + CLOCK_SKEW_MS) {
      throw new ConflictError(`${target} keeps rows for at least ${days} days`);
    }
    const answer: RetentionPurgeAnswer = await deleteInBatches(
      () => handler({ tenantId, before, batch: request.batch }),
      { batchSize: request.batch, deadline: Date.now() + budgetMs },
    );
    if (answer.deleted > 0) {
      logger.info({ target, tenantId, before, ...answer }, 'expired rows purged');
    }
    return answer;
  });
}

/** Anything that runs SQL: a DataSource, or the EntityManager of a tenant's transaction. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Runs one `DELETE … RETURNING` wrapped as `WITH doomed AS (<delete>) SELECT count(*)` and
 * answers the count: what every retention handler returns.
 */
export async function countDeleted(
  runner: Queryable,
  deleteReturning: string,
  params: unknown[],
): Promise<number> {
  const rows = (await runner.query(
    `WITH doomed AS (${deleteReturning}) SELECT count(*)::int AS deleted FROM doomed`,
    params,
  )) as { deleted: number }[];
  return rows[0]?.deleted ?? 0;
}
