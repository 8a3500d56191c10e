import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import type { RequestContext } from '../../platform/context/request-context';
import { RateLimitedError } from '../../platform/errors/domain-errors';
import { SlidingWindowSet } from '../../platform/rate-limit/window-set';
import type { RedisClient } from '../../platform/redis/connection';
import { RATE_LIMIT_WINDOW_MS } from './config';
import { LeasedLimits } from './leased-limits';

/** The `limit` label of `tessera_rate_limit_rejections_total` and of a refusal's extensions. */
export const RATE_LIMITS = ['ip', 'user', 'tenant', 'api_key', 'ws_connect'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

export const RATE_LIMIT_REJECTIONS_METRIC = 'tessera_rate_limit_rejections_total';

/** 429 RATE_LIMITED with `retryAfter` and the name of the limit that refused. */
export class RateLimitExceededError extends RateLimitedError {
  constructor(
    readonly limit: RateLimitName,
    retryAfterSeconds: number,
  ) {
    super(retryAfterSeconds);
    this.details.limit = limit;
  }
}

export const RATE_LIMIT_LEASES_METRIC = 'tessera_rate_limit_leases_total';

/** Leases taken from the shared windows in Redis: the round trips the limits cost. */
function rateLimitLeases(registry: Registry): Counter<'limit'> {
  return limitCounter(
    registry,
    RATE_LIMIT_LEASES_METRIC,
    'Leases of rate-limit units taken from Redis (a round trip each), by limit.',
  );
}

/** The gateway's one rejections counter. */
export function rateLimitRejections(registry: Registry): Counter<'limit'> {
  return limitCounter(
    registry,
    RATE_LIMIT_REJECTIONS_METRIC,
    'Requests refused by a gateway rate limit, by limit (ip, user, tenant, api_key, ws_connect).',
  );
}

/** A counter by `limit`, registered once per registry however many limiters share it. */
function limitCounter(registry: Registry, name: string, help: string): Counter<'limit'> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'limit'>;
  return new Counter({ name, help, labelNames: ['limit'], registers: [registry] });
}

export interface EdgeRateLimitConfig {
  REDIS_PREFIX: string;
  RATE_LIMIT_FAIL_MODE: 'open' | 'closed';
  GATEWAY_RATE_LIMIT_PER_IP: number;
  GATEWAY_RATE_LIMIT_PER_USER: number;
  GATEWAY_RATE_LIMIT_PER_TENANT: number;
  GATEWAY_RATE_LIMIT_LEASE_MS: number;
  API_KEY_RATE_LIMIT_PER_MINUTE: number;
  GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: number;
}

/** Limits spent together: each a limit's name and its subject (an IP, a user id, ...). */
export type RateLimitSubjects = readonly (readonly [RateLimitName, string])[];

/**
 * The gateway's distributed request limits, one sliding window per subject in Redis, so
 * every pod shares one budget: per client IP (before authentication, so floods are cheap to
 * refuse), per signed-in user, per API key, per tenant (after tenant access is granted, so
 * nobody can spend another tenant's budget by naming it), and per IP for graphql-ws
 * connections. An HTTP request and each operation on a graphql-ws socket spend the same
 * budgets through {@link admit} and {@link tenant}. The limits a request spends together
 * ({@link spend}) are spent from this process's leases of each window, all or nothing; the
 * leases that ran out are taken again in one round trip (their keys share one Cluster slot).
 */
export class EdgeRateLimits {
  readonly rejections: Counter<'limit'>;
  private readonly leased: LeasedLimits<RateLimitName>;

  constructor(redis: RedisClient, config: EdgeRateLimitConfig, registry: Registry, logger: Logger) {
    this.rejections = rateLimitRejections(registry);
    let lastWarning = 0;
    const limits = {
      ip: config.GATEWAY_RATE_LIMIT_PER_IP,
      user: config.GATEWAY_RATE_LIMIT_PER_USER,
      tenant: config.GATEWAY_RATE_LIMIT_PER_TENANT,
      api_key: config.API_KEY_RATE_LIMIT_PER_MINUTE,
      ws_connect: config.GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE,
    };
    const windows = new SlidingWindowSet(redis, {
      prefix: config.REDIS_PREFIX,
      slot: 'gateway-limits',
      limits,
      windowMs: RATE_LIMIT_WINDOW_MS,
      failMode: config.RATE_LIMIT_FAIL_MODE,
      onDecision: (names, outcome, error) => {
        // One warning per 10 s is enough to see Redis is away without flooding the log.
        if (outcome !== 'error' || Date.now() - lastWarning < 10_000) return;
        lastWarning = Date.now();
        logger.warn(
          { err: error, limits: names, failMode: config.RATE_LIMIT_FAIL_MODE },
          'rate limiter cannot reach Redis',
        );
      },
    });
    const leases = rateLimitLeases(registry);
    this.leased = new LeasedLimits(windows, {
      limits,
      leaseMs: config.GATEWAY_RATE_LIMIT_LEASE_MS,
      onLease: (limit) => leases.inc({ limit }),
    });
  }

  /**
   * What one request or graphql-ws operation spends before its tenant is known: the client
   * IP's budget, then (once `authenticate` said who calls) the user's or the API key's.
   * Throws {@link RateLimitExceededError}. A socket authenticated when it connected, so its
   * operations pass no `authenticate`.
   */
  async admit(
    request: RequestContext,
    authenticate: (request: RequestContext) => Promise<RequestContext> = (same) =>
      Promise.resolve(same),
  ): Promise<RequestContext> {
    if (request.ip) await this.spend([['ip', request.ip]]);
    const authenticated = await authenticate(request);
    await this.caller(authenticated);
    return authenticated;
  }

  /** The signed-in user's or the API key's budget; throws {@link RateLimitExceededError}. */
  async caller(request: RequestContext): Promise<void> {
    const subjects = callerLimits(request);
    if (subjects.length > 0) await this.spend(subjects);
  }

  /**
   * Per tenant, for a caller already let into it. Runs inside Apollo's pipeline, so it throws
   * a GraphQLError: 429 with Retry-After, masked to RATE_LIMITED with `retryAfter`.
   */
  async tenant(request: RequestContext): Promise<void> {
    if (!request.tenantId) return;
    try {
      await this.spend([['tenant', request.tenantId]]);
    } catch (error) {
      if (!(error instanceof RateLimitExceededError)) throw error;
      const retryAfter = String(error.details.retryAfter);
      throw new GraphQLError(error.message, {
        originalError: error,
        extensions: {
          http: { status: error.httpStatus, headers: new HeaderMap([['retry-after', retryAfter]]) },
        },
      });
    }
  }

  /** A graphql-ws connection attempt from `ip`; throws {@link RateLimitExceededError}. */
  async wsConnect(ip: string | null): Promise<void> {
    if (ip) await this.spend([['ws_connect', ip]]);
  }

  /**
   * One unit from each listed budget if every one has room, else none, from this process's
   * leases (leased-limits.ts): a round trip only for the budgets whose lease ran out.
   * Throws {@link RateLimitExceededError} naming the limit that refused.
   */
  async spend(subjects: RateLimitSubjects): Promise<void> {
    const decision = await this.leased.spend(subjects);
    if (decision.allowed) return;
    const limit = decision.refusedBy ?? subjects[0]![0];
    this.rejections.inc({ limit });
    throw new RateLimitExceededError(limit, decision.retryAfterSeconds);
  }
}

/** The budget of who calls: the signed-in user's or the API key's (none when anonymous). */
export function callerLimits(request: RequestContext): RateLimitSubjects {
  const principal = request.principal;
  if (principal?.kind === 'user') return [['user', principal.id]];
  if (principal?.kind === 'apiKey') return [['api_key', principal.id]];
  return [];
}
