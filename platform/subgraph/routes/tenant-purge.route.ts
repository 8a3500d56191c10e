import type { DataSource } from 'typeorm';
import { tenantPurgeCall, type TenantPurgeAnswer } from '../../contracts/subgraphs/tenant-purge';
import { tenantStatusCall } from '../../contracts/tenancy/tenant-status';
import { tenantScope } from '../../db/scope';
import { ConflictError } from '../../errors/domain-errors';
import { signedJsonRoute, type SignedRouteRuntime } from '../../http/signed-json-route';
import { type RequestHandler } from '../../http/service-server';
import type { InternalClient } from '../../internal-calls/client';
import { deleteInBatches } from '../../db/batched-deletion';

/**
 * One tenant-owned table the purge empties for a tenant: `schema.table`, keyed by `tenant_id`
 * unless `column` says otherwise (tenancy.tenants is keyed by its own `id`).
 */
export type PurgeTable = string | { table: string; column: string };

export interface TenantPurgeOptions {
  /** Deleted in this order: children before the rows they reference. */
  tables: readonly PurgeTable[];
  /**
   * Runs before anything is deleted, on every call: throws a ConflictError while the tenant
   * is live. Tenancy reads its own table; the others ask tenancy ({@link askTenancyIfLive}).
   */
  guard: (tenantId: string) => Promise<void>;
  /** Rows per DELETE (one short transaction each); 500 by default. */
  batchSize?: number;
  /** How long one call keeps deleting before it answers `complete: false`; 10 s by default. */
  budgetMs?: number;
}

/**
 * The guard of every subgraph but tenancy, which cannot read tenancy's tables: tenancy is asked
 * whether the tenant is still live. No answer refuses the purge too (503), and the job retries.
 */
export function askTenancyIfLive(internal: InternalClient): (tenantId: string) => Promise<void> {
  return async (tenantId) => {
    const { tenants } = await internal.call(tenantStatusCall, { tenantIds: [tenantId] });
    if (tenants.length > 0) throw new ConflictError(`tenant ${tenantId} is not deleted`);
  };
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * `POST /internal/purge-tenant` of a subgraph (platform/contracts/subgraphs/tenant-purge.ts): deletes
 * the tenant's rows from each table in batches, each batch in its own transaction scoped to the
 * tenant, so row-level security bounds every statement to that tenant even if a table name or
 * column were wrong. Answers what it deleted and whether it finished within its time budget.
 */
export function tenantPurgeRoute(
  runtime: SignedRouteRuntime & { dataSource: DataSource },
  options: TenantPurgeOptions,
): RequestHandler {
  const tables = options.tables.map(parsePurgeTable);
  const batchSize = options.batchSize ?? 500;
  const budgetMs = options.budgetMs ?? 10_000;
  const { dataSource, logger } = runtime;

  return signedJsonRoute(runtime, tenantPurgeCall, async ({ tenantId: rawTenantId }) => {
    const tenantId = rawTenantId.toLowerCase();
    await options.guard(tenantId).catch((error: unknown) => {
      logger.warn({ tenantId, err: error }, 'tenant purge refused');
      throw error;
    });
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
    return answer;
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
  return tenantScope(dataSource, tenantId).run(async (manager) => {
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
