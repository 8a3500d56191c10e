import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { roleLookupCall } from '../../platform/contracts/tenancy/role-lookup';
import type { Role } from '../../platform/context/request-context';
import { isUuid } from '../../platform/graphql/ids';
import type { InternalClient } from '../../platform/internal-calls/client';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import { DISCONNECTED } from '../../platform/rate-limit/script-call';
import type { RedisClient } from '../../platform/redis/connection';
import {
  MAX_ROLE_CACHE_TTL_SECONDS,
  publishMembershipChanged,
  roleCacheKey,
  roleGenerationKey,
} from '../../platform/contracts/tenancy/membership-events';
import { type TenantStatus } from '../../platform/contracts/tenancy/tenant-status-values';
import { decodeCachedAnswer, encodeCachedAnswer } from './cached-role-answer';
import type { MembershipListener, MembershipWatch } from './membership-watch';

export interface RoleAnswer {
  /** null: no such tenant. */
  tenantStatus: TenantStatus | null;
  /** null: not a member (or no such tenant). */
  role: Role | null;
}

export interface RoleResolverOptions {
  /** Asks tenancy's role lookup. */
  internal: InternalClient;
  redis: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  /** How long a member's answer is reused; 60 by default, at most an hour. */
  ttlSeconds?: number;
  /** How long a "not a member" or "no such tenant" answer is reused; 10 by default. */
  negativeTtlSeconds?: number;
  /** How long a lookup may take before tenancy counts as unreachable; the contract's by default. */
  timeoutMs?: number;
  logger: Logger;
  /** Counts each read of the Redis role cache (hit, miss, error). */
  countLookup?: CountCacheLookup;
  /** (tenant, user) answers this process keeps beside Redis's; 10 000 by default. */
  localAnswers?: number;
  /**
   * Proves this process applied every announced membership change (membership-watch.ts), so
   * kept answers need no generation marker; without it, each use of one reads the marker.
   */
  watch?: Pick<MembershipWatch, 'version' | 'trusted'>;
}

export interface ResolveOptions {
  /**
   * Ask tenancy even if an answer is cached or a lookup is in flight. For a caller that knows
   * of a committed change the cache may not reflect yet: tenancy invalidates cached answers
   * only after its commit, so a committed event about the change can arrive first.
   */
  fresh?: boolean;
  /**
   * The tenant's generation marker as just read from Redis (null: none), when the caller read
   * it already ({@link RoleResolver.generation}): an answer this process keeps under that
   * marker is then used without asking Redis again. Without it, a kept answer is used while
   * the membership watch proves it current, and Redis is asked otherwise.
   */
  generation?: string | null;
}

/** An answer this process keeps, with the generation marker it was computed under. */
export interface LocalAnswer {
  generation: string | null;
  answer: RoleAnswer;
}

const NO_TENANT: RoleAnswer = Object.freeze({ tenantStatus: null, role: null });

/**
 * A user's role in a tenant, as the gateway needs it for every tenant-scoped request of a
 * signed-in user. Answers come from the tenancy process's internal route and are cached in
 * Redis (shared by every gateway pod) until their TTL ends or tenancy reports a membership
 * change (see platform/contracts/tenancy/membership-events.ts). Concurrent lookups of the same pair in
 * this process share one round trip.
 */
export class RoleResolver {
  private readonly ttlSeconds: number;
  private readonly negativeTtlSeconds: number;
  private readonly inFlight = new Map<string, Promise<RoleAnswer>>();
  /**
   * The answers Redis holds, kept here too so that a request whose tenant's generation marker
   * is unchanged needs one small Redis read (the marker, which the edge reads beside its rate
   * limits) instead of two and a parse. Valid under the same rule as Redis's copy: only while
   * the marker it was computed under is current, so a membership change is seen as soon as
   * tenancy replaced the marker, exactly as before.
   */
  private readonly local: LRUCache<string, LocalAnswer>;

  constructor(private readonly options: RoleResolverOptions) {
    this.ttlSeconds = seconds('ttlSeconds', options.ttlSeconds ?? 60);
    this.negativeTtlSeconds = seconds(
      'negativeTtlSeconds',
      options.negativeTtlSeconds ?? Math.min(10, this.ttlSeconds),
    );
    this.local = new LRUCache({ max: options.localAnswers ?? 10_000, ttlAutopurge: false });
  }

  /**
   * The answer this process keeps for the pair and the marker it was computed under, without
   * asking whether the marker is still current: for a guess that {@link resolve} confirms.
   */
  cached(tenantId: string, userId: string): LocalAnswer | undefined {
    if (!isUuid(tenantId) || !isUuid(userId)) return undefined;
    return this.local.get(pairKey(tenantId, userId));
  }

  /** The kept answer, when the membership watch proves it current (no marker needed). */
  current(tenantId: string, userId: string): LocalAnswer | undefined {
    if (!this.options.watch?.trusted()) return undefined;
    return this.cached(tenantId, userId);
  }

  /** What the membership watch tells this resolver. */
  readonly membershipListener: MembershipListener = {
    tenantChanged: (tenantId) => this.forget(tenantId),
    allChanged: () => {
      this.inFlight.clear();
      this.local.clear();
    },
  };

  /** The tenant's current generation marker (null: none); undefined when Redis cannot tell. */
  async generation(tenantId: string): Promise<string | null | undefined> {
    if (!isUuid(tenantId)) return undefined;
    // A lost connection queues commands until it is back: the full path decides meanwhile.
    if (DISCONNECTED.has(this.options.redis.status)) return undefined;
    try {
      return await this.options.redis.get(roleGenerationKey(this.options.prefix, tenantId));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'role generation unreadable');
      return undefined;
    }
  }

  /**
   * The tenant's status and the user's role in it. Ids that are not UUIDs name no tenant.
   * Throws the internal client's SERVICE_UNAVAILABLE error when tenancy cannot be reached in
   * time or answers anything but a well-formed 200: the gateway never guesses a role. A Redis
   * outage only costs the cache.
   */
  resolve(
    tenantId: string,
    userId: string,
    requestId?: string,
    options: ResolveOptions = {},
  ): Promise<RoleAnswer> {
    if (!isUuid(tenantId) || !isUuid(userId)) return Promise.resolve(NO_TENANT);
    const tenant = tenantId.toLowerCase();
    const user = userId.toLowerCase();
    const key = `${tenant}:${user}`;
    if (!options.fresh) {
      const kept = this.local.get(key);
      if (kept && this.isCurrent(kept, options.generation)) {
        this.options.countLookup?.('hit');
        return Promise.resolve(kept.answer);
      }
    }
    let pending = options.fresh ? undefined : this.inFlight.get(key);
    if (!pending) {
      pending = this.lookup(tenant, user, requestId, options.fresh ?? false).finally(() => {
        if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
      });
      // A fresh lookup replaces one in flight: callers from now on get the newer answer.
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /**
   * Whether a kept answer may be used as is: computed under the marker the caller just read,
   * or, when the caller read none (a subscription's check before each delivery), proven
   * current by the membership watch, as the edge's admission uses it.
   */
  private isCurrent(kept: LocalAnswer, generation: string | null | undefined): boolean {
    if (generation !== undefined) return kept.generation === generation;
    return this.options.watch?.trusted() ?? false;
  }

  /**
   * Forgets the cached answer of `userId` in `tenantId`, or of every user without `userId`,
   * on every pod. Lookups already in flight here are not joined by later callers.
   */
  async invalidate(tenantId: string, userId?: string): Promise<void> {
    this.forget(tenantId, userId);
    await publishMembershipChanged(this.options.redis, this.options.prefix, tenantId, userId);
  }

  /**
   * Drops what this process keeps for `userId` in `tenantId` (or for all its users), and
   * lets no later caller join a lookup already in flight, which may predate the change.
   */
  private forget(tenantId: string, userId?: string): void {
    const tenant = tenantId.toLowerCase();
    const exact = userId ? `${tenant}:${userId.toLowerCase()}` : undefined;
    const matches = (key: string) => (exact ? key === exact : key.startsWith(`${tenant}:`));
    for (const key of this.inFlight.keys()) if (matches(key)) this.inFlight.delete(key);
    for (const key of [...this.local.keys()]) if (matches(key)) this.local.delete(key);
  }

  private async lookup(
    tenantId: string,
    userId: string,
    requestId: string | undefined,
    fresh: boolean,
  ): Promise<RoleAnswer> {
    // A change announced while this lookup runs may be one its answer predates.
    const version = this.options.watch?.version;
    const keep = (answer: RoleAnswer, generation: string | null) => {
      if (this.options.watch?.version === version) this.keep(tenantId, userId, answer, generation);
    };
    const cached: { answer?: RoleAnswer; generation: string | null } = fresh
      ? { generation: (await this.generation(tenantId)) ?? null }
      : await this.readCache(tenantId, userId);
    if (cached.answer) {
      keep(cached.answer, cached.generation);
      return cached.answer;
    }
    const answer = await this.options.internal.call(
      roleLookupCall,
      { tenantId, userId },
      { requestId, timeoutMs: this.options.timeoutMs },
    );
    keep(answer, cached.generation);
    await this.writeCache(tenantId, userId, answer, cached.generation);
    return answer;
  }

  /** Keeps an answer here for as long as Redis keeps it (a TTL bounds it, as there). */
  private keep(tenantId: string, userId: string, answer: RoleAnswer, generation: string | null) {
    const ttl = (answer.role ? this.ttlSeconds : this.negativeTtlSeconds) * 1000;
    this.local.set(pairKey(tenantId, userId), { generation, answer }, { ttl });
  }

  private async readCache(
    tenantId: string,
    userId: string,
  ): Promise<{ answer?: RoleAnswer; generation: string | null }> {
    const { redis, prefix } = this.options;
    try {
      const [raw, generation] = await Promise.all([
        redis.get(roleCacheKey(prefix, tenantId, userId)),
        redis.get(roleGenerationKey(prefix, tenantId)),
      ]);
      const entry = raw ? decodeCachedAnswer(raw) : undefined;
      // An answer from before the tenant's last membership change is stale.
      if (entry && entry.generation === generation) {
        this.options.countLookup?.('hit');
        return { answer: entry.answer, generation };
      }
      this.options.countLookup?.('miss');
      return { generation };
    } catch (error) {
      this.options.countLookup?.('error');
      this.options.logger.warn({ err: error }, 'role cache unreadable; asking tenancy');
      return { generation: null };
    }
  }

  private async writeCache(
    tenantId: string,
    userId: string,
    answer: RoleAnswer,
    generation: string | null,
  ): Promise<void> {
    const ttl = answer.role ? this.ttlSeconds : this.negativeTtlSeconds;
    try {
      await this.options.redis.set(
        roleCacheKey(this.options.prefix, tenantId, userId),
        encodeCachedAnswer(answer, generation),
        'EX',
        ttl,
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'role cache unwritable');
    }
  }
}

function pairKey(tenantId: string, userId: string): string {
  return `${tenantId.toLowerCase()}:${userId.toLowerCase()}`;
}

function seconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ROLE_CACHE_TTL_SECONDS) {
    throw new RangeError(`${name} must be an integer in 1..${MAX_ROLE_CACHE_TTL_SECONDS}`);
  }
  return value;
}
