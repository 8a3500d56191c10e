import type { DataSource, EntityManager } from 'typeorm';

/**
 * The one place a transaction learns whose rows it may touch. Row-level security policies
 * compare every tenant-owned row with `app.tenant_id` (CURRENT_TENANT_SQL), set here for this
 * transaction only (`is_local = true`) so a pooled connection never carries one tenant's
 * setting into the next request. `null` is the platform: the setting is cleared to '', which
 * the policies read as no tenant, so only rows whose tenant is NULL are visible (platform jobs'
 * dead letters, events, platform alert rules). Services do not call this: they receive a
 * {@link Scope} (./scope), and repositories get the manager and never open transactions.
 */
export function scopedTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId ?? '']);
    return fn(manager);
  });
}
