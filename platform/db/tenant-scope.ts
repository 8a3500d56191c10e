import type { DataSource, EntityManager } from 'typeorm';
import { requireTenant, type RequestContext } from '../context/request-context';
import { withTenantTransaction } from './tenant-transaction';

/** Binds a data source to the tenant of one request: what services use to reach repositories. */
export interface TenantScope {
  readonly tenantId: string;
  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
}

export function tenantScope(dataSource: DataSource, request: RequestContext): TenantScope {
  return {
    get tenantId() {
      return requireTenant(request);
    },
    run: (fn) => withTenantTransaction(dataSource, requireTenant(request), fn),
  };
}
