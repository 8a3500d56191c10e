import { tenantOriginsCall } from '../../../platform/contracts/tenancy/tenant-origins';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { allowedOrigins } from '../services/tenant-settings.service';

/** `POST /internal/tenant-origins`: the browser origins tenants allow, for the gateway's CORS. */
export function tenantOriginsRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, tenantOriginsCall, async (question) => ({
    origins: await allowedOrigins(runtime.dataSource, question),
  }));
}
