import type { DataSource } from 'typeorm';
import type { TenantState } from '../../../platform/contracts/tenancy/tenant-state';
import { withTenantTransaction } from '../../../platform/db';
import { ConflictError } from '../../../platform/errors';
import type { PurgeTable } from '../../../platform/graphql/tenant-purge-route';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';

/**
 * Tenancy's part of a deleted tenant's purge, which the worker runs after every other
 * subgraph's: the tenant's own rows, the tenant row last. Tables referencing tenancy.tenants
 * with ON DELETE CASCADE and not listed here (invitations) go with that row.
 */
export const TENANCY_PURGE_TABLES: readonly PurgeTable[] = [
  'tenancy.tenant_settings',
  'tenancy.oauth_providers',
  'tenancy.memberships',
  { table: 'tenancy.tenants', column: 'id' },
];

/** Whether the tenant is live, marked deleted, or has no row (never created, or purged). */
export async function tenantState(dataSource: DataSource, tenantId: string): Promise<TenantState> {
  const deleted = await withTenantTransaction(dataSource, tenantId, (manager) =>
    new TenantLifecycleRepository(manager).isDeleted(tenantId),
  );
  return deleted === null ? 'gone' : deleted ? 'deleted' : 'live';
}

/**
 * Only a tenant marked deleted is purged: a stray job naming a live tenant is refused (409)
 * before anything of it is gone here. A tenant already purged passes (retries are no-ops).
 */
export function refuseLiveTenant(dataSource: DataSource): (tenantId: string) => Promise<void> {
  return async (tenantId) => {
    if ((await tenantState(dataSource, tenantId)) === 'live') {
      throw new ConflictError(`tenant ${tenantId} is not deleted`);
    }
  };
}
