import { JWKS_PATH } from '../../../platform/contracts/auth/access-token';
import { apiKeyOwnerCall } from '../../../platform/contracts/auth/api-key-owner';
import { apiKeyVerifyCall } from '../../../platform/contracts/auth/api-key-verify';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { sendJson } from '../../../platform/http/respond';
import { signedJsonRoute, type SignedRouteRuntime } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import type { ApiKeyVerifier } from '../api-keys/api-key-verifier.service';
import type { SigningKeySet } from '../sessions/signing-key-set.service';

/**
 * The auth process's HTTP routes beside GraphQL: the public JWKS (what the gateway verifies
 * access tokens with), the gateway's API key check, and assets' question of who created the
 * API key it serves a request of.
 */
export function authRoutes(
  runtime: SignedRouteRuntime,
  options: { keys: SigningKeySet; apiKeys: ApiKeyVerifier },
): Record<string, RequestHandler> {
  const { keys, apiKeys } = options;

  const jwks: RequestHandler = (_req, res) => {
    sendJson(res, 200, keys.jwks(), { 'cache-control': 'public, max-age=60' });
    return Promise.resolve();
  };

  return {
    [JWKS_PATH]: jwks,
    [apiKeyVerifyCall.path]: signedJsonRoute(runtime, apiKeyVerifyCall, async ({ key }) => ({
      apiKey: await apiKeys.verify(key),
    })),
    // Only ever about the key in the signed context, never one named in the body.
    [apiKeyOwnerCall.path]: signedJsonRoute(runtime, apiKeyOwnerCall, async (_request, context) => {
      if (context.principal?.kind !== 'apiKey' || !context.tenantId) {
        throw new ValidationError("The signed context must be an API key's");
      }
      return { userId: await apiKeys.ownerOf(context.tenantId, context.principal.id) };
    }),
  };
}
