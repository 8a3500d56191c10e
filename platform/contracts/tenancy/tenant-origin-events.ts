import { redisKey, type RedisClient } from '../../redis/connection';

/**
 * Gateways cache, per pod, whether some tenant allows a browser origin (see
 * gateway/security/tenant-origins.ts). Tenancy announces every committed change to the set of
 * allowed origins here (a tenant's `allowedOrigins` changed, a tenant was deleted), and every
 * pod drops its whole cache: changes are rare, and an origin's answer may depend on any tenant.
 * A lost announcement (Redis down) costs nothing but the wait for the cache's TTL.
 */
export function tenantOriginsChangedChannel(prefix: string): string {
  return redisKey(prefix, 'tenancy', 'origins-changed');
}

/** The message is the tenant whose origins changed, for the logs; gateways drop everything. */
export async function publishTenantOriginsChanged(
  redis: RedisClient,
  prefix: string,
  tenantId: string,
): Promise<void> {
  await redis.publish(tenantOriginsChangedChannel(prefix), tenantId.toLowerCase());
}
