import type { RequestContext } from '../../platform/context';
import { tenantScope } from '../../platform/db';
import type { SubgraphRuntime } from '../../platform/graphql';
import { TenantService } from './services/tenant.service';

export interface TenancyContext {
  request: RequestContext;
  tenants: TenantService;
}

export function createTenancyContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
): TenancyContext {
  return { request, tenants: new TenantService(tenantScope(runtime.dataSource, request)) };
}
