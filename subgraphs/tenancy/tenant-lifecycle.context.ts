import type { RequestContext } from '../../platform/context/request-context';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import type { MembershipChanged } from './services/membership.service';
import { TenantAdminService } from './services/tenant-admin.service';
import { TenantLifecycleService } from './services/tenant-lifecycle.service';
import { TenantSettingsService } from './services/tenant-settings.service';
import type { TenantLifecycleServices } from './tenant-lifecycle.setup';

/** The per-request services of tenant settings, deletion and administration. */
export interface TenantLifecycleContext {
  tenantSettings: TenantSettingsService;
  tenantLifecycle: TenantLifecycleService;
  tenantAdmin: TenantAdminService;
}

export function createTenantLifecycleContext(
  request: RequestContext,
  runtime: SubgraphRuntime,
  services: { membershipChanged: MembershipChanged; tenantLifecycle: TenantLifecycleServices },
): TenantLifecycleContext {
  const { dataSource } = runtime;
  const tenantSettings = new TenantSettingsService(
    dataSource,
    request,
    services.tenantLifecycle.settings,
  );
  return {
    tenantSettings,
    tenantLifecycle: new TenantLifecycleService(dataSource, request, {
      membershipChanged: services.membershipChanged,
      purgeDeletedTenant: services.tenantLifecycle.purgeDeletedTenant,
    }),
    tenantAdmin: new TenantAdminService(
      dataSource,
      request,
      tenantSettings,
      services.membershipChanged,
      services.tenantLifecycle.statusChanged,
    ),
  };
}
