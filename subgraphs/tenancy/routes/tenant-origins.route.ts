import { tenantOriginsCall } from '../../../platform/contracts/tenancy/tenant-origins';
import type { SubgraphRuntime } from '../../../platform/graphql';
import { signedJsonRoute, type RequestHandler } from '../../../platform/http';
import { allowedOrigins } from '../services/tenant-settings.service';

/** `POST /internal/tenant-origins`: the browser origins tenants allow, for the gateway's CORS. */
export function tenantOriginsRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, tenantOriginsCall, async (question) => ({
    origins: await allowedOrigins(runtime.dataSource, question),
  }));
}
