import type { DataSource, EntityManager } from 'typeorm';
import { withTenantTransaction } from './tenant-transaction';

/**
 * A transaction scoped to a tenant, or to the platform (no tenant set: row-level security then
 * shows only rows whose tenant is NULL, such as platform jobs' dead letters, events and
 * platform alert rules).
 */
export function withScopeTransaction<T>(
  dataSource: DataSource,
  tenantId: string | null,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return tenantId === null
    ? dataSource.transaction(fn)
    : withTenantTransaction(dataSource, tenantId, fn);
}
