import type { DataSource, EntityManager } from 'typeorm';
import { requireTenant, type RequestContext } from '../context/request-context';
import { withReadTransaction } from './read-transaction';
import { withTenantTransaction } from './tenant-transaction';

/** Binds a data source to the tenant of one request: what services use to reach repositories. */
export interface TenantScope {
  readonly tenantId: string;
  run<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** A read that may lag (lists, searches): the read replica's when there is one. */
  read<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T>;
}

export function tenantScope(dataSource: DataSource, request: RequestContext): TenantScope {
  return {
    get tenantId() {
      return requireTenant(request);
    },
    run: (fn) => withTenantTransaction(dataSource, requireTenant(request), fn),
    read: (fn) => withReadTransaction(dataSource, requireTenant(request), fn),
  };
}
