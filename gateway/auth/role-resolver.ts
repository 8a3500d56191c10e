import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { anonymousContext, signContext, type Role } from '../../platform/context';
import { isUuid } from '../../platform/graphql/ids';
import type { CountCacheLookup } from '../../platform/observability/cache-metrics';
import type { RedisClient } from '../../platform/redis';
import {
  MAX_ROLE_CACHE_TTL_SECONDS,
  publishMembershipChanged,
  ROLE_LOOKUP_PATH,
  roleCacheKey,
  roleGenerationKey,
  roleLookupAnswerSchema,
  type TenantStatus,
} from '../../platform/tenancy';

export interface RoleAnswer {
  /** null: no such tenant. */
  tenantStatus: TenantStatus | null;
  /** null: not a member (or no such tenant). */
  role: Role | null;
}

export interface RoleResolverOptions {
  /** The tenancy process's base URL, e.g. `http://127.0.0.1:4002` (any path is ignored). */
  tenancyInternalUrl: string;
  /** Signs the service context of each lookup (the first of CONTEXT_SIGNING_SECRETS). */
  signingSecret: string;
  redis: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  /** How long a member's answer is reused; 60 by default, at most an hour. */
  ttlSeconds?: number;
  /** How long a "not a member" or "no such tenant" answer is reused; 10 by default. */
  negativeTtlSeconds?: number;
  /** How long a lookup may take before tenancy counts as unreachable; 2000 by default. */
  timeoutMs?: number;
  logger: Logger;
  /** Counts each read of the Redis role cache (hit, miss, error). */
  countLookup?: CountCacheLookup;
}

/** Tenancy could not answer: the gateway must fail the request (503), never guess a role. */
export class RoleLookupUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RoleLookupUnavailableError';
  }
}

export interface ResolveOptions {
  /**
   * Ask tenancy even if an answer is cached or a lookup is in flight. For a caller that knows
   * of a committed change the cache may not reflect yet: tenancy invalidates cached answers
   * only after its commit, so a committed event about the change can arrive first.
   */
  fresh?: boolean;
}

const NO_TENANT: RoleAnswer = Object.freeze({ tenantStatus: null, role: null });

interface CachedAnswer {
  /** The tenant's generation marker the answer was computed under (null: none yet). */
  g: string | null;
  s: TenantStatus | null;
  r: Role | null;
}

/**
 * A user's role in a tenant, as the gateway needs it for every tenant-scoped request of a
 * signed-in user. Answers come from the tenancy process's internal route and are cached in
 * Redis (shared by every gateway pod) until their TTL ends or tenancy reports a membership
 * change (see platform/tenancy/membership-events.ts). Concurrent lookups of the same pair in
 * this process share one round trip.
 */
export class RoleResolver {
  private readonly endpoint: string;
  private readonly ttlSeconds: number;
  private readonly negativeTtlSeconds: number;
  private readonly timeoutMs: number;
  private readonly inFlight = new Map<string, Promise<RoleAnswer>>();

  constructor(private readonly options: RoleResolverOptions) {
    this.endpoint = new URL(ROLE_LOOKUP_PATH, options.tenancyInternalUrl).toString();
    this.ttlSeconds = seconds('ttlSeconds', options.ttlSeconds ?? 60);
    this.negativeTtlSeconds = seconds(
      'negativeTtlSeconds',
      options.negativeTtlSeconds ?? Math.min(10, this.ttlSeconds),
    );
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /**
   * The tenant's status and the user's role in it. Ids that are not UUIDs name no tenant.
   * Throws {@link RoleLookupUnavailableError} when tenancy cannot be reached in time or
   * answers anything but a well-formed 200. A Redis outage only costs the cache.
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
   * Forgets the cached answer of `userId` in `tenantId`, or of every user without `userId`,
   * on every pod. Lookups already in flight here are not joined by later callers.
   */
  async invalidate(tenantId: string, userId?: string): Promise<void> {
    const tenant = tenantId.toLowerCase();
    const exact = userId ? `${tenant}:${userId.toLowerCase()}` : undefined;
    for (const key of this.inFlight.keys()) {
      if (exact ? key === exact : key.startsWith(`${tenant}:`)) this.inFlight.delete(key);
    }
    await publishMembershipChanged(this.options.redis, this.options.prefix, tenant, userId);
  }

  private async lookup(
    tenantId: string,
    userId: string,
    requestId: string | undefined,
    fresh: boolean,
  ): Promise<RoleAnswer> {
    const cached: { answer?: RoleAnswer; generation: string | null } = fresh
      ? { generation: await this.readGeneration(tenantId) }
      : await this.readCache(tenantId, userId);
    if (cached.answer) return cached.answer;
    const answer = await this.ask(tenantId, userId, requestId ?? randomUUID());
    await this.writeCache(tenantId, userId, answer, cached.generation);
    return answer;
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
      const entry = raw ? parseCached(raw) : undefined;
      // An answer from before the tenant's last membership change is stale.
      if (entry && entry.g === generation) {
        this.options.countLookup?.('hit');
        return { answer: { tenantStatus: entry.s, role: entry.r }, generation };
      }
      this.options.countLookup?.('miss');
      return { generation };
    } catch (error) {
      this.options.countLookup?.('error');
      this.options.logger.warn({ err: error }, 'role cache unreadable; asking tenancy');
      return { generation: null };
    }
  }

  /** The generation a fresh answer is cached under (null: none yet, or Redis unreadable). */
  private async readGeneration(tenantId: string): Promise<string | null> {
    try {
      return await this.options.redis.get(roleGenerationKey(this.options.prefix, tenantId));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'role generation unreadable; asking tenancy');
      return null;
    }
  }

  private async writeCache(
    tenantId: string,
    userId: string,
    answer: RoleAnswer,
    generation: string | null,
  ): Promise<void> {
    const entry: CachedAnswer = { g: generation, s: answer.tenantStatus, r: answer.role };
    const ttl = answer.role ? this.ttlSeconds : this.negativeTtlSeconds;
    try {
      await this.options.redis.set(
        roleCacheKey(this.options.prefix, tenantId, userId),
        JSON.stringify(entry),
        'EX',
        ttl,
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'role cache unwritable');
    }
  }

  private async ask(tenantId: string, userId: string, requestId: string): Promise<RoleAnswer> {
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          ...signContext(anonymousContext(requestId), this.options.signingSecret),
        },
        body: JSON.stringify({ tenantId, userId }),
        // Covers connecting, the answer and reading its body.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // A refusal's body is not needed; reading it would only hold the socket.
      body = response.ok ? await response.json() : await response.body?.cancel();
    } catch (error) {
      throw this.unavailable(
        isTimeout(error)
          ? `tenancy did not answer the role lookup within ${this.timeoutMs} ms`
          : 'tenancy is unreachable for the role lookup',
        error,
      );
    }
    if (!response.ok) {
      throw this.unavailable(`tenancy answered the role lookup with HTTP ${response.status}`);
    }
    const parsed = roleLookupAnswerSchema.safeParse(body);
    if (!parsed.success) {
      throw this.unavailable('tenancy answered the role lookup with a malformed body');
    }
    return parsed.data;
  }

  private unavailable(message: string, cause?: unknown): RoleLookupUnavailableError {
    this.options.logger.error({ err: cause, endpoint: this.endpoint }, message);
    return new RoleLookupUnavailableError(message, cause === undefined ? undefined : { cause });
  }
}

function seconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ROLE_CACHE_TTL_SECONDS) {
    throw new RangeError(`${name} must be an integer in 1..${MAX_ROLE_CACHE_TTL_SECONDS}`);
  }
  return value;
}

function parseCached(raw: string): CachedAnswer | undefined {
  try {
    const entry = JSON.parse(raw) as CachedAnswer;
    const answer = roleLookupAnswerSchema.safeParse({ tenantStatus: entry.s, role: entry.r });
    return answer.success && (entry.g === null || typeof entry.g === 'string') ? entry : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  // A DOMException, which is not an `Error` in every realm: compare the name only.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
