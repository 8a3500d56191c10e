import { revokeApiKeysOfCreatorCall } from '../../platform/contracts/auth/api-key-revocation';
import { verifiedEmailCall } from '../../platform/contracts/auth/verified-email';
import { verifiedUsersCall } from '../../platform/contracts/auth/verified-users';
import { reencryptCall } from '../../platform/contracts/subgraphs/reencrypt';
import { KeyRing } from '../../platform/crypto/key-ring';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/subgraph/subgraph-service';
import { reencryptRoute } from '../../platform/subgraph/routes/reencrypt.route';
import { createTransactionalMailer } from '../../platform/mail/create-mailer';
import { outboundPolicyFromConfig } from '../../platform/config/outbound';
import { SlidingWindowLimiter } from '../../platform/rate-limit/sliding-window';
import type { AuthConfig } from './config';
import { createAuthMetrics } from './metrics';
import { authRoutes } from './routes/auth.routes';
import { revokeCreatorKeysRoute } from './routes/revoke-creator-keys.route';
import { verifiedEmailRoute } from './routes/verified-email.route';
import { verifiedUsersRoute } from './routes/verified-users.route';
import { ApiKeyVerifier } from './api-keys/api-key-verifier.service';
import type { AuthServices } from './auth-services';
import { AccountLockout } from './credentials/account-lockout.store';
import { authSecretStores } from './sessions/signing-key-secrets.store';
import { RevocationAnnouncer } from './sessions/revocation-announcer.service';
import { tenantSessionCap } from './sessions/tenant-session-cap.client';
import { SessionIssuer } from './sessions/session-issuer.service';
import { SigningKeySet } from './sessions/signing-key-set.service';
import { OAuthProviderDirectory } from './oauth/oauth-provider-directory.client';
import { OAuthStateStore } from './oauth/oauth-state.store';

/** Builds what the auth process shares across requests and starts its background work. */
export async function setupAuth(
  runtime: SubgraphRuntime<AuthConfig>,
): Promise<SubgraphServices<AuthServices>> {
  const { config, dataSource, logger, redis } = runtime;
  const keyRing = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
  const keys = new SigningKeySet(
    dataSource,
    keyRing,
    {
      issuer: config.JWT_ISSUER,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      rotationDays: config.JWT_KEY_ROTATION_DAYS,
    },
    logger,
  );
  await keys.start();
  const revocations = new RevocationAnnouncer(
    dataSource,
    redis,
    config.REDIS_PREFIX,
    config.ACCESS_TOKEN_TTL_SECONDS,
    logger,
  );
  revocations.start();
  const apiKeys = new ApiKeyVerifier(dataSource, logger, config.API_KEY_USAGE_FLUSH_SECONDS * 1000);
  apiKeys.start();
  const mailer = createTransactionalMailer(config, dataSource, keyRing);
  const limiter = authLimiter(runtime);

  const services: AuthServices = {
    config,
    dataSource,
    logger,
    redis,
    metrics: createAuthMetrics(runtime.metrics.registry),
    keyRing,
    keys,
    issuer: new SessionIssuer(keys, {
      sessionTtlDays: config.SESSION_TTL_DAYS,
      maxSessionsPerUser: config.MAX_SESSIONS_PER_USER,
      tenantCap: tenantSessionCap(runtime.internal, logger, runtime.metrics.registry),
    }),
    revocations,
    lockout: new AccountLockout(
      redis,
      config.REDIS_PREFIX,
      config.SIGN_IN_FAILURES_PER_ACCOUNT,
      config.AUTH_RATE_WINDOW_SECONDS,
    ),
    ipLimiter: limiter('auth-ip', config.AUTH_ATTEMPTS_PER_IP),
    mailLimiter: limiter('auth-mail', 5),
    mailer,
    apiKeys,
    oauthStates: new OAuthStateStore(redis, config.REDIS_PREFIX, config.OAUTH_STATE_TTL_SECONDS),
    oauthProviders: new OAuthProviderDirectory(
      runtime.internal,
      outboundPolicyFromConfig(config),
      logger,
      config.NODE_ENV !== 'production',
    ),
  };
  return {
    services,
    routes: {
      ...authRoutes(runtime, { keys, apiKeys }),
      [reencryptCall.path]: reencryptRoute(runtime, keyRing, authSecretStores(dataSource)),
      [verifiedEmailCall.path]: verifiedEmailRoute(runtime),
      [revokeApiKeysOfCreatorCall.path]: revokeCreatorKeysRoute(runtime, services),
      [verifiedUsersCall.path]: verifiedUsersRoute(runtime),
    },
    close: async () => {
      keys.stop();
      revocations.stop();
      await apiKeys.stop();
      await mailer.close();
    },
  };
}

/** A per-key sliding window over AUTH_RATE_WINDOW_SECONDS, refusing when Redis is down. */
function authLimiter(runtime: SubgraphRuntime<AuthConfig>) {
  const { config, redis } = runtime;
  return (name: string, limit: number) =>
    new SlidingWindowLimiter(redis, {
      prefix: config.REDIS_PREFIX,
      name,
      limit,
      windowMs: config.AUTH_RATE_WINDOW_SECONDS * 1000,
      // Guessing passwords while Redis is down must not get easier: refuse.
      failMode: 'closed',
    });
}
