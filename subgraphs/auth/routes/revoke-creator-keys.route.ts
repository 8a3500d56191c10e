import type { SubgraphRuntime } from '../../../platform/graphql';
import { sendJson, signedJsonRoute, type RequestHandler } from '../../../platform/http';
import {
  API_KEYS_OF_CREATOR_REVOKE_BODY_LIMIT_BYTES,
  revokeApiKeysOfCreatorRequestSchema,
  type RevokeApiKeysOfCreatorAnswer,
} from '../../../platform/auth';
import type { AuthServices } from '../services/auth-services';
import { revokeKeysOfCreator } from '../services/creator-keys';

/**
 * `POST /internal/api-keys/revoke-created-by`: tenancy revokes the keys of a user who no
 * longer manages the tenant (see platform/auth/api-key-revocation.ts). The signed context is
 * the request that changed the membership, so it must name the same tenant.
 */
export function revokeCreatorKeysRoute(
  runtime: SubgraphRuntime,
  auth: Pick<AuthServices, 'dataSource' | 'revocations'>,
): RequestHandler {
  return signedJsonRoute(runtime, {
    name: 'API key revocation by creator',
    bodyLimitBytes: API_KEYS_OF_CREATOR_REVOKE_BODY_LIMIT_BYTES,
    schema: revokeApiKeysOfCreatorRequestSchema,
    expected: '{"tenantId": UUID, "userId": UUID}',
    handle: async ({ tenantId, userId }, context, res) => {
      if (context.tenantId?.toLowerCase() !== tenantId.toLowerCase()) {
        sendJson(res, 400, { error: "tenantId must be the signed context's tenant" });
        return;
      }
      const answer: RevokeApiKeysOfCreatorAnswer = {
        revoked: await revokeKeysOfCreator(auth, tenantId.toLowerCase(), userId.toLowerCase()),
      };
      sendJson(res, 200, answer, { 'cache-control': 'no-store' });
    },
  });
}
