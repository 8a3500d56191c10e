import type { DataSource } from 'typeorm';
import { tenantScope } from '../../../platform/db/scope';
import { ConflictError } from '../../../platform/errors/domain-errors';
import type { PurgeTable } from '../../../platform/subgraph/routes/tenant-purge.route';
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

/**
 * Only a tenant marked deleted is purged: a stray job naming a live tenant is refused (409)
 * before anything of it is gone here. A tenant already purged passes (retries are no-ops).
 */
export function refuseLiveTenant(dataSource: DataSource): (tenantId: string) => Promise<void> {
  return async (tenantId) => {
    const deleted = await tenantScope(dataSource, tenantId).run((manager) =>
      new TenantLifecycleRepository(manager).isDeleted(tenantId),
    );
    if (deleted === false) {
      throw new ConflictError(`tenant ${tenantId} is not deleted`);
    }
  };
}
