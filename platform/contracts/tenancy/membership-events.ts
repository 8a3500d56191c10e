import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * Gateway processes also keep answers in memory and use them without reading the marker
 * while they can prove they have seen every change announced on this channel more than
 * {@link MEMBERSHIP_LEASE_MS} ago (see gateway/auth/membership-watch.ts). A message is the
 * tenant's id.
 */
export function membershipChangesChannel(prefix: string): string {
  return redisKey(prefix, 'tenancy', 'membership-changes');
}

/** A gateway process's own heartbeat channel, subscribed on the same connection. */
export function membershipHeartbeatChannel(prefix: string, processId: string): string {
  return redisKey(prefix, 'tenancy', 'membership-heartbeat', processId);
}

/**
 * How long after announcing a change its announcer waits before answering: by then every
 * gateway process has applied it or stopped trusting what it keeps.
 */
export const MEMBERSHIP_LEASE_MS = 200;
/** How often a gateway process proves its subscription current (a quarter of the lease). */
export const MEMBERSHIP_HEARTBEAT_MS = 50;

/**
 * Called by tenancy after every committed membership or tenant-status change: drops the cached
 * answer of `userId` in `tenantId` (or of every user, without `userId`) on all gateway pods,
 * and returns once no pod can still admit with an answer from before the change.
 */
export async function publishMembershipChanged(
  redis: RedisClient,
  prefix: string,
  tenantId: string,
  userId?: string,
  leaseMs = MEMBERSHIP_LEASE_MS,
): Promise<void> {
  // Separate commands, not MULTI: in Cluster the two keys may live in different slots.
  await redis.set(
    roleGenerationKey(prefix, tenantId),
    randomUUID(),
    'EX',
    ROLE_GENERATION_TTL_SECONDS,
  );
  if (userId) await redis.del(roleCacheKey(prefix, tenantId, userId));
  await redis.publish(membershipChangesChannel(prefix), tenantId.toLowerCase());
  // Not a guess at delivery time: a process that has not applied the message by now has had
  // no heartbeat back for a whole lease, and reads the marker again (membership-watch.ts).
  await sleep(leaseMs);
}
