import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `fn` in a transaction scoped to one tenant: row-level security policies compare
 * every tenant-owned row with `app.tenant_id`, set here for this transaction only
 * (`is_local = true`), so a pooled connection never carries one tenant's setting into the
 * next request. Repositories get the manager and never open transactions of their own.
 */
export function withTenantTransaction<T>(
  dataSource: DataSource,
  tenantId: string,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return fn(manager);
  });
}
