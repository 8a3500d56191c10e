import { tenantStatusCall } from '../../../platform/contracts/tenancy/tenant-status';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { TenantLifecycleRepository } from '../repositories/tenant-lifecycle.repository';

/**
 * `POST /internal/tenant-status`: which of these tenants are live, and their status, for the
 * services that pause a suspended tenant's background work and for every subgraph's purge guard
 * (platform/contracts/tenancy/tenant-status.ts).
 */
export function tenantStatusRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, tenantStatusCall, async ({ tenantIds }) => ({
    tenants: await new TenantLifecycleRepository(runtime.dataSource.manager).statuses(
      tenantIds.map((id) => id.toLowerCase()),
    ),
  }));
}
