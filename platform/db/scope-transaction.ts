import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { sendPipeline, type PipelinedStatement } from './pipelined-query';

export interface TransactionOptions {
  /**
   * Serializes the transaction with every other one of the same tenant given the same name,
   * until it ends: a transaction-level advisory lock on `<name>:<tenant id>`, taken with the
   * transaction's opening, just before its first statement (so it orders statements, not
   * work done before the first of them). For checks that must see every earlier change
   * committed (a per-tenant cap, a quota, the last OWNER): under READ COMMITTED each later
   * statement reads a snapshot taken after the lock was granted.
   */
  lockTenant?: string;
  /**
   * Runs the work read-only, each statement in a round trip of its own (see
   * {@link eachStatementOnItsOwn}): a write slipped into a read fails, wherever the read runs
   * (the primary, or a replica, where every transaction is read-only anyway).
   */
  readOnly?: boolean;
}

/** Runners of a read-only scope: nothing they run writes, so no commit of theirs counts. */
const readOnlyRunners = new WeakSet<QueryRunner>();

/** Whether `runner` serves a read-only scope (a lookup or a read). */
export function isReadOnly(runner: QueryRunner): boolean {
  return readOnlyRunners.has(runner);
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
 * TRANSACTION, the setting, the read, COMMIT). Now a transaction that may write sends its
 * opening (the setting, and the tenant's lock when one is asked for) in one pipeline with its
 * first statement ({@link openWithFirstStatement}), and a read-only one sends each statement
 * in a pipeline of its own behind the setting ({@link eachStatementOnItsOwn}): a read by id is
 * one round trip, a rename two. Every value travels as a parameter.
 */
export async function scopedTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
  { lockTenant, readOnly = false }: TransactionOptions = {},
): Promise<T> {
  const setting = {
    text: `SELECT set_config('app.tenant_id', $1, true)`,
    values: [tenantId ?? ''],
  };
  if (lockTenant !== undefined) {
    if (tenantId === null) throw new Error(`Lock ${lockTenant} is per tenant: no tenant is set`);
    if (readOnly) throw new Error(`Lock ${lockTenant} is for writes: a read takes none`);
  }
  const runner = dataSource.createQueryRunner();
  if (readOnly) readOnlyRunners.add(runner);
  try {
    const client = (await runner.connect()) as PoolClient;
    const restore = readOnly
      ? eachStatementOnItsOwn(client, [{ text: 'SET TRANSACTION READ ONLY' }, setting])
      : openWithFirstStatement(client, [
          { text: 'START TRANSACTION' },
          setting,
          ...(lockTenant === undefined
            ? []
            : [
                {
                  text: `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
                  values: [`${lockTenant}:${tenantId}`],
                },
              ]),
        ]);
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

/** The answer to a pipeline's last statement: the one its caller sent. */
async function lastAnswer(results: Promise<QueryResult[]>): Promise<QueryResult> {
  const all = await results;
  return all[all.length - 1]!;
}

/** What TypeORM reads of the answer to the statements that open or end its transaction. */
const FRAMING_ANSWER: Partial<QueryResult> = { rows: [], rowCount: null };

/**
 * Replaces the connection's `query` with `replacement` until the returned function puts it
 * back. The connection goes back to the pool afterwards: it must keep neither the wrapper nor
 * a copy of the method it wrapped (the method is its prototype's).
 */
function intercept(
  client: PoolClient,
  replacement: (query: ClientQuery, restore: () => void) => ClientQuery,
): () => void {
  const own = client as unknown as { query?: ClientQuery };
  const query = own.query!.bind(client);
  const restore = () => {
    delete own.query;
  };
  own.query = replacement(query, restore);
  return restore;
}

/**
 * Holds back TypeORM's `START TRANSACTION` on this connection and sends `opening` (which
 * begins with it) in one pipeline with the next statement, answering that statement's
 * result. A statement without parameters may be several commands in one string, which only
 * the simple protocol carries: the opening then goes first, in a round trip of its own.
 */
function openWithFirstStatement(client: PoolClient, opening: PipelinedStatement[]): () => void {
  return intercept(client, (query, restore) => (text) => {
    if (text !== 'START TRANSACTION') {
      restore();
      throw new Error(`Expected TypeORM to open the transaction, not to send ${String(text)}`);
    }
    const own = client as unknown as { query: ClientQuery };
    own.query = (statement, values) => {
      restore();
      if (typeof statement === 'string' && Array.isArray(values) && values.length > 0) {
        return lastAnswer(sendPipeline({ query }, [...opening, { text: statement, values }]));
      }
      const opened = sendPipeline({ query }, opening);
      // Queued behind the opening on this connection: it runs only once the opening has.
      const answer = query(statement, values);
      if (!(answer instanceof Promise)) {
        // A stream, which its caller reads as it is. Should the opening fail, the stream
        // fails too, on the transaction the failure aborted.
        opened.catch(() => undefined);
        return answer;
      }
      return Promise.all([opened, answer]).then(([, result]) => result as QueryResult);
    };
    return Promise.resolve({ ...FRAMING_ANSWER, command: 'BEGIN' });
  });
}

/**
 * Runs each statement of a read-only scope as a transaction of its own: `setup` (READ ONLY
 * and the tenant's setting) and the statement in one pipeline, which PostgreSQL runs as one
 * implicit transaction that its Sync ends, setting and all. Under READ COMMITTED a statement
 * reads its own snapshot even inside a longer transaction, and a read takes no lock and sets
 * nothing a later statement needs, so the read sees what it saw in one transaction, with one
 * round trip per statement instead of one more at each end. TypeORM's `START TRANSACTION`,
 * `COMMIT` and `ROLLBACK` then have nothing to open or end. Statements go with the extended
 * protocol, one command each: a string of several, or a stream, fails instead of running
 * without the setting.
 */
function eachStatementOnItsOwn(client: PoolClient, setup: PipelinedStatement[]): () => void {
  return intercept(client, (query) => (text, values) => {
    if (text === 'START TRANSACTION' || text === 'COMMIT' || text === 'ROLLBACK') {
      return Promise.resolve({ ...FRAMING_ANSWER, command: text });
    }
    if (typeof text !== 'string' || (values !== undefined && !Array.isArray(values))) {
      return Promise.reject(new Error('A read-only scope sends statements, not streams'));
    }
    return lastAnswer(sendPipeline({ query }, [...setup, { text, values: values ?? [] }]));
  });
}
