import { revokeApiKeysOfCreatorCall } from '../../../platform/contracts/auth/api-key-revocation';
import { ValidationError } from '../../../platform/errors/domain-errors';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import {
  revokeKeysOfCreator,
  type CreatorKeyRevocationDeps,
} from '../api-keys/creator-key-revocation.service';

/**
 * `POST /internal/api-keys/revoke-created-by`: tenancy revokes the keys of a user who no
 * longer manages the tenant (platform/contracts/auth/api-key-revocation.ts). The signed context
 * is the request that changed the membership, so it must name the same tenant.
 */
export function revokeCreatorKeysRoute(
  runtime: SubgraphRuntime,
  auth: CreatorKeyRevocationDeps,
): RequestHandler {
  return signedJsonRoute(runtime, revokeApiKeysOfCreatorCall, async (request, context) => {
    const tenantId = request.tenantId.toLowerCase();
    if (context.tenantId?.toLowerCase() !== tenantId) {
      throw new ValidationError("tenantId must be the signed context's tenant");
    }
    return { revoked: await revokeKeysOfCreator(auth, tenantId, request.userId.toLowerCase()) };
  });
}
