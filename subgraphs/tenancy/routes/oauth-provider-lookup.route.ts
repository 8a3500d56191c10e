import { oauthProviderLookupCall } from '../../../platform/contracts/tenancy/oauth-provider-lookup';
import { DecryptionError, type KeyRing } from '../../../platform/crypto/key-ring';
import type { SubgraphRuntime } from '../../../platform/subgraph/subgraph-service';
import { signedJsonRoute } from '../../../platform/http/signed-json-route';
import { type RequestHandler } from '../../../platform/http/service-server';
import { resolveOAuthProvider } from '../services/oauth-provider.service';

/**
 * `POST /internal/oauth-providers/resolve`: the auth service asks for a tenant's provider, with
 * its client secret decrypted, when a user signs in through it. The answer carries a secret,
 * so it is never cached on the way, and no other service may ask.
 */
export function oauthProviderLookupRoute(
  runtime: SubgraphRuntime,
  keyRing: KeyRing,
): RequestHandler {
  const { dataSource, logger } = runtime;
  return signedJsonRoute(runtime, oauthProviderLookupCall, async ({ tenantId, provider }) => {
    let resolved;
    try {
      resolved = await resolveOAuthProvider(dataSource, keyRing, tenantId.toLowerCase(), provider);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      // Tampered with, copied from another row, or under a key no longer in the ring: an
      // operator's problem, never an answer with some other row's secret.
      logger.error(
        { reason: error.reason, kid: error.kid, tenantId, provider },
        'stored OAuth client secret cannot be decrypted',
      );
      throw new Error('the stored client secret of this provider cannot be decrypted');
    }
    return {
      provider: resolved && {
        provider: resolved.config.provider,
        clientId: resolved.config.clientId,
        clientSecret: resolved.clientSecret.reveal(),
        issuer: resolved.config.issuer,
        authorizationUrl: resolved.config.authorizationUrl,
        tokenUrl: resolved.config.tokenUrl,
        userInfoUrl: resolved.config.userInfoUrl,
        scopes: resolved.config.scopes,
        enabled: resolved.config.enabled,
      },
    };
  });
}
