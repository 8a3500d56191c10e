import type { SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, type RequestHandler } from '../../../platform/http';
import { ROLE_LOOKUP_BODY_LIMIT_BYTES, roleLookupRequestSchema } from '../../../platform/tenancy';
import { MembershipService } from '../services/membership.service';
import { signedJsonRoute } from './signed-json-route';

/**
 * `POST /internal/roles`: the gateway asks for a user's role in a tenant before it resolves
 * the request context.
 */
export function roleLookupRoute(runtime: SubgraphRuntime): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'role lookup',
    bodyLimitBytes: ROLE_LOOKUP_BODY_LIMIT_BYTES,
    schema: roleLookupRequestSchema,
    expected: '{"tenantId": UUID, "userId": UUID}',
    handle: async ({ tenantId, userId }, context, res) => {
      const answer = await new MembershipService(runtime.dataSource, context).roleOf(
        tenantId.toLowerCase(),
        userId.toLowerCase(),
      );
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
