import type { EntityManager } from 'typeorm';
import { PurgeRefusedError, type PurgeTable } from '../../../platform/graphql/tenant-purge-route';
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
export async function refuseLiveTenant(manager: EntityManager, tenantId: string): Promise<void> {
  if ((await new TenantLifecycleRepository(manager).isDeleted(tenantId)) === false) {
    throw new PurgeRefusedError(`tenant ${tenantId} is not deleted`);
  }
}
