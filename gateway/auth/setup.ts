import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { ApiKeyEndings } from '../../platform/contracts/auth/api-key-endings';
import { JWKS_PATH } from '../../platform/contracts/auth/access-token';
import { RevocationList } from '../../platform/contracts/auth/session-revocation';
import type { ReadinessCheck } from '../../platform/http/readiness';
import type { RequestHandler } from '../../platform/http/service-server';
import type { InternalClient } from '../../platform/internal-calls/client';
import { closeRedis, createRedis, type RedisClient } from '../../platform/redis/connection';
import { internalUrl, type GatewayConfig } from '../config';
import { AccessTokenVerifier } from './access-tokens';
import { creatorCheck } from './api-key-creators';
import { ApiKeyAuthenticator } from './api-keys';
import type { Authenticators } from './authenticate';
import { jwksRoute } from './jwks-route';
import { cacheCounter } from '../../platform/observability/cache-metrics';
import { MembershipWatch } from './membership-watch';
import { RoleResolver } from './role-resolver';

export interface GatewayAuth {
  authenticators: Authenticators;
  roles: RoleResolver;
  /** The command connection, shared with the security edge's rate limits. */
  redis: RedisClient;
  /** This pod's one subscriber connection: revocations, API key endings, tenant events. */
  subscriber: RedisClient;
  revocations: RevocationList;
  /** API keys revoked or rotated, as auth announces them. */
  apiKeyEndings: ApiKeyEndings;
  readiness: ReadinessCheck[];
  routes: Record<string, RequestHandler>;
  close(): Promise<void>;
}

/**
 * The gateway's side of authentication: two Redis connections per pod (commands, and one
 * subscriber for session revocations and API key endings), the JWKS-backed token verifier
 * and the cached API key check.
 */
export async function setupGatewayAuth(
  config: GatewayConfig,
  supergraphSdl: string,
  internal: InternalClient,
  logger: Logger,
  registry: Registry,
): Promise<GatewayAuth> {
  // Every request spends its limits and reads its tenant's role generation here, together.
  const redis = createRedis(config, logger, { name: 'gateway:main', autoPipelining: true });
  const subscriber = createRedis(config, logger, { name: 'gateway:subscriber', blocking: true });
  const authUrl = internalUrl(config, supergraphSdl, 'auth');
  const jwksUrl = new URL(JWKS_PATH, authUrl);

  const revocations = new RevocationList(subscriber, redis, config.REDIS_PREFIX, logger);
  const apiKeyEndings = new ApiKeyEndings(subscriber, redis, config.REDIS_PREFIX, logger);
  await Promise.all([revocations.start(), apiKeyEndings.start()]);
  const { roles, watch } = await startRoleResolver(
    config,
    { internal, redis, subscriber },
    logger,
    registry,
  );
  const apiKeys = new ApiKeyAuthenticator({
    internal,
    endings: apiKeyEndings,
    creatorManages: creatorCheck(roles),
    logger,
    countLookup: cacheCounter(registry, 'api_key'),
  });

  return {
    redis,
    subscriber,
    revocations,
    apiKeyEndings,
    roles,
    authenticators: {
      accessTokens: new AccessTokenVerifier(
        jwksUrl,
        config.JWT_ISSUER,
        revocations,
        cacheCounter(registry, 'jwks'),
        Date.now,
        cacheCounter(registry, 'access_token'),
      ),
      apiKeys,
      counter: new Counter({
        name: 'tessera_gateway_authentications_total',
        help: 'Credentials checked at the gateway, by method and outcome (ok or the error code).',
        labelNames: ['method', 'outcome'],
        registers: [registry],
      }),
    },
    readiness: [
      { name: 'redis', check: () => redis.ping() },
      {
        name: 'session-revocations',
        check: () =>
          revocations.ready
            ? Promise.resolve()
            : Promise.reject(new Error('revoked sessions not read yet')),
      },
      {
        name: 'api-key-endings',
        check: () =>
          apiKeyEndings.ready
            ? Promise.resolve()
            : Promise.reject(new Error('API key endings not read yet')),
      },
    ],
    routes: { [JWKS_PATH]: jwksRoute(jwksUrl, undefined, cacheCounter(registry, 'jwks_route')) },
    close: async () => {
      await Promise.all([revocations.stop(), apiKeyEndings.stop(), watch?.stop()]);
      await Promise.all([closeRedis(subscriber), closeRedis(redis)]);
    },
  };
}

/** The role resolver, with the membership watch that lets it skip the generation marker. */
async function startRoleResolver(
  config: GatewayConfig,
  {
    internal,
    redis,
    subscriber,
  }: { internal: InternalClient; redis: RedisClient; subscriber: RedisClient },
  logger: Logger,
  registry: Registry,
): Promise<{ roles: RoleResolver; watch?: MembershipWatch }> {
  // Cluster relays PUBLISHes between nodes in no order the watch could rely on.
  const watch =
    config.REDIS_MODE === 'cluster'
      ? undefined
      : new MembershipWatch({ subscriber, publisher: redis, prefix: config.REDIS_PREFIX, logger });
  const roles = new RoleResolver({
    internal,
    redis,
    prefix: config.REDIS_PREFIX,
    ttlSeconds: config.ROLE_CACHE_TTL_SECONDS,
    logger,
    countLookup: cacheCounter(registry, 'role'),
    watch,
  });
  await watch?.start(roles.membershipListener);
  return { roles, watch };
}
