import { roleLookupCall } from '../../../platform/contracts/tenancy/role-lookup';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { MembershipService } from '../services/membership.service';

/**
 * `POST /internal/roles`: the gateway asks for a user's role in a tenant before it resolves
 * the request context.
 */
export function roleLookupRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, roleLookupCall, ({ tenantId, userId }, context) =>
    new MembershipService(runtime.dataSource, context).roleOf(
      tenantId.toLowerCase(),
      userId.toLowerCase(),
    ),
  );
}
