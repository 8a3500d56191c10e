import { reencryptCall } from '../../platform/contracts/subgraphs/reencrypt';
import { oauthProviderLookupCall } from '../../platform/contracts/tenancy/oauth-provider-lookup';
import { roleLookupCall } from '../../platform/contracts/tenancy/role-lookup';
import { sessionCapCall } from '../../platform/contracts/tenancy/session-cap';
import { sessionRetentionCall } from '../../platform/contracts/tenancy/session-retention';
import { tenantRetentionCall } from '../../platform/contracts/tenancy/tenant-retention';
import { KeyRing } from '../../platform/crypto/key-ring';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/subgraph/subgraph-service';
import { reencryptRoute } from '../../platform/subgraph/routes/reencrypt.route';
import { createTransactionalMailer } from '../../platform/mail/create-mailer';
import { SlidingWindowLimiter } from '../../platform/rate-limit/sliding-window';
import { publishMembershipChanged } from '../../platform/contracts/tenancy/membership-events';
import type { TenancyConfig } from './config';
import type { TenancyServices } from './context';
import { AuthCalls } from './services/auth-calls';
import type { InvitationSettings } from './services/invitation.service';
import { oauthProviderLookupRoute } from './routes/oauth-provider-lookup.route';
import { roleLookupRoute } from './routes/role-lookup.route';
import { tenancySecretStores } from './services/secret-reencryption';
import { tenantRetentionRoute } from './routes/tenant-retention.route';
import { sessionCapRoute, sessionRetentionRoute } from './routes/session-settings.route';
import { setupTenantLifecycle } from './tenant-lifecycle.setup';

/** Builds what the tenancy process shares across requests, and its internal routes. */
export function setupTenancy(
  runtime: SubgraphRuntime<TenancyConfig>,
): SubgraphServices<TenancyServices> {
  const { config, dataSource, logger, redis } = runtime;
  const keyRing = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
  const mailer = createTransactionalMailer(config, dataSource, keyRing);
  const auth = new AuthCalls(runtime.internal);
  const invitations: InvitationSettings = {
    mailer,
    appPublicUrl: config.APP_PUBLIC_URL,
    ttlSeconds: config.INVITATION_TTL_DAYS * 24 * 60 * 60,
    limiter: new SlidingWindowLimiter(redis, {
      prefix: config.REDIS_PREFIX,
      name: 'tenancy-invitations',
      limit: config.INVITATIONS_PER_TENANT_PER_HOUR,
      windowMs: 60 * 60 * 1000,
      // Each invitation mails an address of the inviter's choosing: no unlimited sending
      // while Redis is away.
      failMode: 'closed',
    }),
    logger,
    auth,
  };
  const oauthProviders = {
    keyRing,
    allowLoopbackHttp: config.NODE_ENV !== 'production',
  };
  const lifecycle = setupTenantLifecycle(runtime);
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
      tenantLifecycle: lifecycle.services,
      invitations,
      auth,
    },
    routes: {
      [roleLookupCall.path]: roleLookupRoute(runtime),
      [oauthProviderLookupCall.path]: oauthProviderLookupRoute(runtime, oauthProviders.keyRing),
      [reencryptCall.path]: reencryptRoute(
        runtime,
        oauthProviders.keyRing,
        tenancySecretStores(dataSource),
      ),
      ...lifecycle.routes,
      [tenantRetentionCall.path]: tenantRetentionRoute(runtime),
      [sessionCapCall.path]: sessionCapRoute(runtime),
      [sessionRetentionCall.path]: sessionRetentionRoute(runtime),
    },
    close: async () => {
      await lifecycle.close();
      await mailer.close();
    },
  };
}
