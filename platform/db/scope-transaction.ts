import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { sendPipeline, type PipelinedStatement } from './pipelined-query';

export interface TransactionOptions {
  /**
   * Serializes the transaction with every other one of the same tenant given the same name,
   * until it ends: a transaction-level advisory lock on `<name>:<tenant id>`, taken with the
   * transaction's opening, just before its first statement (so it orders statements, not
   * work done before the first of them). For checks that must see every earlier change committed (a
   * per-tenant cap, a quota, the last OWNER): under READ COMMITTED each later statement reads
   * a snapshot taken after the lock was granted.
   */
  lockTenant?: string;
  /**
   * Opens the transaction READ ONLY: a write slipped into a read fails, wherever the read
   * runs (the primary, or a replica, where every transaction is read-only anyway).
   */
  readOnly?: boolean;
}

/**
 * The one place a transaction learns whose rows it may touch. Row-level security policies
 * compare every tenant-owned row with `app.tenant_id` (CURRENT_TENANT_SQL), set here for this
 * transaction only (`is_local = true`) so a pooled connection never carries one tenant's
 * setting into the next request. `null` is the platform: the setting is cleared to '', which
 * the policies read as no tenant, so only rows whose tenant is NULL are visible (platform jobs'
 * dead letters, events, platform alert rules). Services do not call this: they receive a
 * {@link Scope} (./scope), and repositories get the manager and never open transactions.
 *
 * Every round trip is a socket write that wakes a PostgreSQL backend, and with the database
 * across a network, a round trip of latency. A tenant's read used to be four (START
 * TRANSACTION, the setting, the read, COMMIT); now the opening, the setting and the tenant's
 * lock when one is asked for travel in one pipeline with the transaction's first statement
 * ({@link openWithFirstStatement}), all of them with parameters, so a read is two round trips.
 */
export async function scopedTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
  { lockTenant, readOnly = false }: TransactionOptions = {},
): Promise<T> {
  const setting = tenantId ?? '';
  const opening: PipelinedStatement[] = [
    { text: readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION' },
    { text: `SELECT set_config('app.tenant_id', $1, true)`, values: [setting] },
  ];
  if (lockTenant !== undefined) {
    if (tenantId === null) throw new Error(`Lock ${lockTenant} is per tenant: no tenant is set`);
    opening.push({
      text: `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
      values: [`${lockTenant}:${tenantId}`],
    });
  }
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const restore = openWithFirstStatement(client, opening);
    try {
      // A manager bound to a runner opens its transaction on it and leaves the release to us.
      return await runner.manager.transaction(fn);
    } finally {
      restore();
    }
  } finally {
    await runner.release();
  }
}

type ClientQuery = (text: unknown, values?: unknown) => unknown;

/**
 * Holds back TypeORM's `START TRANSACTION` on this connection and sends `opening` (which
 * begins with it) in one pipeline with the next statement, answering that statement's
 * result. A statement without parameters may be several commands in one string, which only
 * the simple protocol carries: the opening then goes first, in a round trip of its own.
 * Returns what puts the connection's own `query` back.
 */
function openWithFirstStatement(client: PoolClient, opening: PipelinedStatement[]): () => void {
  const own = client as unknown as { query: ClientQuery };
  const query = own.query;
  // The connection goes back to the pool: it must not keep this wrapper, nor a copy of the
  // method it wrapped (the method is its prototype's).
  const restore = () => {
    delete (own as Partial<typeof own>).query;
  };
  own.query = (text) => {
    if (text !== 'START TRANSACTION') {
      restore();
      throw new Error(`Expected TypeORM to open the transaction, not to send ${String(text)}`);
    }
    own.query = (statement, values) => {
      restore();
      if (typeof statement === 'string' && Array.isArray(values) && values.length > 0) {
        return sendPipeline(client, [...opening, { text: statement, values }]).then(
          (results) => results[results.length - 1],
        );
      }
      const opened = sendPipeline(client, opening);
      // Queued behind the opening on this connection: it runs only once the opening has.
      const answer = query.call(client, statement, values);
      if (!(answer instanceof Promise)) {
        // A stream, which its caller reads as it is. Should the opening fail, the stream
        // fails too, on the transaction the failure aborted.
        opened.catch(() => undefined);
        return answer;
      }
      return Promise.all([opened, answer]).then(([, result]) => result as QueryResult);
    };
    const opened: Partial<QueryResult> = { command: 'BEGIN', rows: [], rowCount: null };
    return Promise.resolve(opened);
  };
  return restore;
}
