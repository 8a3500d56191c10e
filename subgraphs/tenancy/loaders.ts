import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import { byIdLoader } from '../../platform/graphql/by-id-loader';
import type { TenantEntity } from './entities/tenant.entity';
import { TenantRepository } from './repositories/tenant.repository';

/** DataLoaders of one request. */
export interface TenancyLoaders {
  /**
   * Tenants by id, as `Membership.tenant` needs them: a page of memberships costs at most one
   * query. Row-level security shows only the request's own tenant, so that one is the only
   * id ever looked up; any other resolves to null unless primed (a platform admin's listing
   * primes the tenant it lists).
   */
  tenantById: DataLoader<string, TenantEntity | null>;
}

export function createTenancyLoaders(
  dataSource: DataSource,
  request: RequestContext,
): TenancyLoaders {
  const scope = tenantScope(dataSource, request);
  return {
    tenantById: byIdLoader(
      async (ids) => {
        const own = request.tenantId?.toLowerCase();
        if (!own || !ids.includes(own)) return [];
        const tenant = await scope.lookup((manager) => new TenantRepository(manager).findById(own));
        return tenant ? [tenant] : [];
      },
      (tenant) => tenant.id,
    ),
  };
}
