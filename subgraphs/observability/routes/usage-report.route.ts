import { usageReportCall } from '../../../platform/contracts/observability/usage-report';
import { tenantScope } from '../../../platform/db/scope';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { TenantUsageRepository } from '../repositories/tenant-usage.repository';

/**
 * `POST /internal/usage/report`: a gateway's usage sums, each added to its tenant's day in the
 * tenant's own transaction (row-level security), so one report never writes across tenants.
 */
export function usageReportRoute(runtime: SubgraphRuntime): Record<string, RequestHandler> {
  return {
    [usageReportCall.path]: signedJsonRoute(runtime, usageReportCall, async ({ deltas }) => {
      for (const delta of deltas) {
        await tenantScope(runtime.dataSource, delta.tenantId).run((manager) =>
          new TenantUsageRepository(manager).add(delta),
        );
      }
      return { recorded: deltas.length };
    }),
  };
}
