import type { Logger } from 'pino';
import { sendJson, signedJsonRoute, type RequestHandler } from '../http';
import {
  PURGE_TARGET_SPECS,
  RETENTION_PURGE_BODY_LIMIT_BYTES,
  retentionPurgeRequestSchema,
  type PurgeTarget,
  type RetentionPurgeAnswer,
  type RetentionPurgeHandler,
} from '../retention';
import { deleteInBatches } from './batched-deletion';

/** A subgraph's handlers, one per target it owns (see platform/retention/purge-targets.ts). */
export type RetentionPurgeHandlers = Partial<Record<PurgeTarget, RetentionPurgeHandler>>;

/**
 * `POST /internal/retention-purge` of a subgraph (see platform/retention/retention-purge.ts):
 * runs the target's handler batch after batch until a short batch or the time budget, and
 * answers what went. Like the tenant purge, it only deletes: which rows are expired is the
 * handler's SQL, bounded by row-level security to the tenant named.
 */
export function retentionPurgeRoute(
  runtime: {
    config: { CONTEXT_SIGNING_SECRETS: string[]; CONTEXT_MAX_AGE_SECONDS: number };
    logger: Logger;
  },
  handlers: RetentionPurgeHandlers,
  options: { budgetMs?: number } = {},
): RequestHandler {
  const budgetMs = options.budgetMs ?? 10_000;
  const { logger } = runtime;

  return signedJsonRoute(runtime, {
    name: 'retention purge',
    bodyLimitBytes: RETENTION_PURGE_BODY_LIMIT_BYTES,
    schema: retentionPurgeRequestSchema,
    expected:
      '{"target": a purge target, "tenantId": UUID | null, "before": ISO date, "batch": 1-5000}',
    handle: async (request, _context, res) => {
      const target = request.target as PurgeTarget;
      const handler = handlers[target];
      if (!handler) {
        return sendJson(res, 404, { error: `${target} is not purged by this service` });
      }
      const tenantScoped = PURGE_TARGET_SPECS[target].scope !== 'global';
      const tenantId = request.tenantId?.toLowerCase() ?? null;
      if (!tenantScoped && tenantId !== null) {
        return sendJson(res, 400, { error: `${target} has no tenant: send "tenantId": null` });
      }
      if (PURGE_TARGET_SPECS[target].scope === 'tenants' && tenantId === null) {
        return sendJson(res, 400, { error: `${target} is purged tenant by tenant` });
      }
      const before = new Date(request.before);
      const answer: RetentionPurgeAnswer = await deleteInBatches(
        () => handler({ tenantId, before, batch: request.batch }),
        { batchSize: request.batch, deadline: Date.now() + budgetMs },
      );
      if (answer.deleted > 0) {
        logger.info({ target, tenantId, before, ...answer }, 'expired rows purged');
      }
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
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
