import { KeyRing } from '../../platform/crypto';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/graphql';
import {
  OAUTH_PROVIDER_LOOKUP_PATH,
  publishMembershipChanged,
  ROLE_LOOKUP_PATH,
} from '../../platform/tenancy';
import type { TenancyConfig } from './config';
import type { TenancyServices } from './context';
import { oauthProviderLookupRoute } from './routes/oauth-provider-lookup.route';
import { roleLookupRoute } from './routes/role-lookup.route';

/** Builds what the tenancy process shares across requests, and its internal routes. */
export async function setupTenancy(
  runtime: SubgraphRuntime<TenancyConfig>,
): Promise<SubgraphServices<TenancyServices>> {
  const { config, logger, redis } = runtime;
  const oauthProviders = {
    keyRing: KeyRing.fromConfig(config.ENCRYPTION_KEYS),
    allowHttp: config.NODE_ENV !== 'production',
  };
  return {
    services: {
      // The change is committed by then; if Redis is down, cached answers still expire
      // within their TTL, so the mutation succeeds and the failure is logged.
      membershipChanged: async (tenantId, userId) => {
        try {
          await publishMembershipChanged(redis, config.REDIS_PREFIX, tenantId, userId);
        } catch (error) {
          logger.warn(
            { err: error, tenantId },
            'could not invalidate cached roles; they expire on their own',
          );
        }
      },
      oauthProviders,
    },
    routes: {
      [ROLE_LOOKUP_PATH]: roleLookupRoute(runtime),
      [OAUTH_PROVIDER_LOOKUP_PATH]: oauthProviderLookupRoute(runtime, oauthProviders.keyRing),
    },
  };
}
