import { randomUUID } from 'node:crypto';
import { redisKey, type RedisClient } from '../../redis/connection';

/**
 * The gateway caches each (tenant, user) role answer in Redis, shared by every pod. Next to the
 * answers, each tenant has a generation marker: an answer is used only while the marker it was
 * computed under is still current. Replacing the marker therefore invalidates every cached
 * answer of the tenant at once (no key scan, which Cluster would make per node), and also a
 * lookup already in flight, which would otherwise write its stale answer back right after a
 * plain DEL. Markers are random, not counters, so one that expired and was set again can never
 * match an old answer.
 */
export function roleCacheKey(prefix: string, tenantId: string, userId: string): string {
  return redisKey(prefix, 'tenancy', 'role', tenantId.toLowerCase(), userId.toLowerCase());
}

export function roleGenerationKey(prefix: string, tenantId: string): string {
  return redisKey(prefix, 'tenancy', 'role-generation', tenantId.toLowerCase());
}

/** How long a generation marker outlives its last change (longer than any cached answer). */
export const ROLE_GENERATION_TTL_SECONDS = 24 * 60 * 60;
/** The longest a role answer may be cached. */
export const MAX_ROLE_CACHE_TTL_SECONDS = 60 * 60;

/**
 * Called by tenancy after every committed membership or tenant-status change: drops the cached
 * answer of `userId` in `tenantId` (or of every user, without `userId`) on all gateway pods.
 */
export async function publishMembershipChanged(
  redis: RedisClient,
  prefix: string,
  tenantId: string,
  userId?: string,
): Promise<void> {
  // Separate commands, not MULTI: in Cluster the two keys may live in different slots.
  await redis.set(
    roleGenerationKey(prefix, tenantId),
    randomUUID(),
    'EX',
    ROLE_GENERATION_TTL_SECONDS,
  );
  if (userId) await redis.del(roleCacheKey(prefix, tenantId, userId));
}
