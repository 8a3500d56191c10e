import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A tenant id that can be written into SQL as a literal: a UUID, in its canonical form. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A lock name: a constant of the code, never input, and a safe literal by this pattern. */
const LOCK_NAME = /^[a-z][a-z0-9_.]*$/;

export interface TransactionOptions {
  /**
   * Serializes the transaction with every other one of the same tenant given the same name,
   * until it ends: a transaction-level advisory lock on `<name>:<tenant id>`, taken in the
   * round trip that opens the transaction. For checks that must see every earlier change
   * committed (a per-tenant cap, a quota, the last OWNER): under READ COMMITTED each later
   * statement reads a snapshot taken after the lock was granted.
   */
  lockTenant?: string;
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
 * A tenant's read used to be four round trips: START TRANSACTION, the setting, the read and
 * COMMIT. Each is a socket write that wakes a PostgreSQL backend, and those writes were over a
 * quarter of the assets service's CPU in its profile, so the first two now travel together
 * as one simple query, with the tenant's lock when one is asked for. Such a query cannot carry
 * parameters: the setting is written as a literal, which the canonical UUID pattern alone makes
 * safe (or the platform's ''), and any other value is sent as a parameter in a statement of its
 * own, as before.
 */
export async function scopedTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
  { lockTenant }: TransactionOptions = {},
): Promise<T> {
  const setting = tenantId ?? '';
  if (lockTenant !== undefined) {
    if (!LOCK_NAME.test(lockTenant)) throw new Error(`Not a lock name: ${lockTenant}`);
    if (tenantId === null) throw new Error(`Lock ${lockTenant} is per tenant: no tenant is set`);
  }
  if (setting !== '' && !CANONICAL_UUID.test(setting)) {
    return dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [setting]);
      if (lockTenant !== undefined) {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `${lockTenant}:${setting}`,
        ]);
      }
      return fn(manager);
    });
  }
  const runner = dataSource.createQueryRunner();
  try {
    let opening = `SELECT set_config('app.tenant_id', '${setting}', true)`;
    if (lockTenant !== undefined) {
      opening += `; SELECT pg_advisory_xact_lock(hashtextextended('${lockTenant}:${setting}', 0))`;
    }
    settingOnStart(runner, opening);
    // A manager bound to a runner opens its transaction on it and leaves the release to us.
    return await runner.manager.transaction(fn);
  } finally {
    await runner.release();
  }
}

/**
 * Sends `statement` with the runner's `START TRANSACTION`, as one simple query. TypeORM opens
 * transactions itself (and keeps their depth for nested savepoints), so this rewrites that
 * one statement on this runner rather than opening the transaction behind TypeORM's back.
 */
function settingOnStart(runner: QueryRunner, statement: string): void {
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((...args: unknown[]) =>
    args.length === 1 && args[0] === 'START TRANSACTION'
      ? query(`START TRANSACTION; ${statement}`)
      : query(...args)) as QueryRunner['query'];
}
