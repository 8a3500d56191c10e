import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { withTenantTransaction } from '../db';
import { sendJson, signedJsonRoute, type RequestHandler } from '../http';
import {
  TENANT_PURGE_BODY_LIMIT_BYTES,
  tenantPurgeRequestSchema,
  type TenantPurgeAnswer,
} from '../tenancy/tenant-purge';
import { deleteInBatches } from './batched-deletion';

/**
 * One tenant-owned table the purge empties for a tenant: `schema.table`, keyed by `tenant_id`
 * unless `column` says otherwise (tenancy.tenants is keyed by its own `id`).
 */
export type PurgeTable = string | { table: string; column: string };

export interface TenantPurgeOptions {
  /** Deleted in this order: children before the rows they reference. */
  tables: readonly PurgeTable[];
  /**
   * Runs before anything is deleted, in the tenant's transaction; throw
   * {@link PurgeRefusedError} to refuse (tenancy refuses a tenant that is not marked deleted).
   */
  guard?: (manager: EntityManager, tenantId: string) => Promise<void>;
  /** Rows per DELETE (one short transaction each); 500 by default. */
  batchSize?: number;
  /** How long one call keeps deleting before it answers `complete: false`; 10 s by default. */
  budgetMs?: number;
}

/** A purge the subgraph will not run (answered 409, so the job retries or fails visibly). */
export class PurgeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PurgeRefusedError';
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * `POST /internal/purge-tenant` of a subgraph (see platform/tenancy/tenant-purge.ts): deletes
 * the tenant's rows from each table in batches, each batch in its own transaction scoped to the
 * tenant, so row-level security bounds every statement to that tenant even if a table name or
 * column were wrong. Answers what it deleted and whether it finished within its time budget.
 */
export function tenantPurgeRoute(
  runtime: {
    config: { CONTEXT_SIGNING_SECRETS: string[]; CONTEXT_MAX_AGE_SECONDS: number };
    logger: Logger;
    dataSource: DataSource;
  },
  options: TenantPurgeOptions,
): RequestHandler {
  const tables = options.tables.map(parsePurgeTable);
  const batchSize = options.batchSize ?? 500;
  const budgetMs = options.budgetMs ?? 10_000;
  const { dataSource, logger } = runtime;

  return signedJsonRoute(runtime, {
    name: 'tenant purge',
    bodyLimitBytes: TENANT_PURGE_BODY_LIMIT_BYTES,
    schema: tenantPurgeRequestSchema,
    expected: '{"tenantId": UUID}',
    handle: async ({ tenantId: rawTenantId }, _context, res) => {
      const tenantId = rawTenantId.toLowerCase();
      if (options.guard) {
        try {
          await withTenantTransaction(dataSource, tenantId, (manager) =>
            options.guard!(manager, tenantId),
          );
        } catch (error) {
          if (!(error instanceof PurgeRefusedError)) throw error;
          logger.warn({ tenantId, reason: error.message }, 'tenant purge refused');
          return sendJson(res, 409, { error: error.message });
        }
      }
      const deadline = Date.now() + budgetMs;
      const answer: TenantPurgeAnswer = { deleted: {}, complete: true };
      for (const { table, column } of tables) {
        const { deleted, complete } = await deleteInBatches(
          () => deleteBatch(dataSource, table, column, tenantId, batchSize),
          { batchSize, deadline },
        );
        answer.deleted[table] = deleted;
        answer.complete = complete;
        if (!answer.complete) break;
      }
      logger.info({ tenantId, ...answer }, 'tenant rows purged');
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}

function parsePurgeTable(entry: PurgeTable): { table: string; column: string } {
  const parsed = typeof entry === 'string' ? { table: entry, column: 'tenant_id' } : entry;
  // Interpolated into SQL below: only plain identifiers from code, never input.
  if (!QUALIFIED.test(parsed.table) || !IDENTIFIER.test(parsed.column)) {
    throw new Error(`invalid purge table ${JSON.stringify(entry)}`);
  }
  return parsed;
}

async function deleteBatch(
  dataSource: DataSource,
  table: string,
  column: string,
  tenantId: string,
  limit: number,
): Promise<number> {
  return withTenantTransaction(dataSource, tenantId, async (manager) => {
    const rows: { deleted: number }[] = await manager.query(
      `WITH doomed AS (
         DELETE FROM ${table}
          WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${column} = $1 LIMIT $2))
         RETURNING 1
       )
       SELECT count(*)::int AS deleted FROM doomed`,
      [tenantId, limit],
    );
    return rows[0]?.deleted ?? 0;
  });
}
