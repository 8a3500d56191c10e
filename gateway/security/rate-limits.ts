import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import type { RequestContext } from '../../platform/context';
import { RateLimitedError } from '../../platform/errors';
import {
  SlidingWindowLimiter,
  type RateLimitOutcome,
  type SlidingWindowOptions,
} from '../../platform/rate-limit';
import type { RedisClient } from '../../platform/redis';

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

/** The gateway's one rejections counter (shared by the API key limiter in auth/setup.ts). */
export function rateLimitRejections(registry: Registry): Counter<'limit'> {
  const existing = registry.getSingleMetric(RATE_LIMIT_REJECTIONS_METRIC);
  if (existing) return existing as Counter<'limit'>;
  return new Counter({
    name: RATE_LIMIT_REJECTIONS_METRIC,
    help: 'Requests refused by a gateway rate limit, by limit (ip, user, tenant, api_key, ws_connect).',
    labelNames: ['limit'],
    registers: [registry],
  });
}

/**
 * An `onDecision` for a limiter whose refusals are counted elsewhere than here (the API key
 * limiter): counts refusals, including those of a fail-closed limiter while Redis is down.
 */
export function countRejections(
  counter: Counter<'limit'>,
  limit: RateLimitName,
  failMode: 'open' | 'closed',
): NonNullable<SlidingWindowOptions['onDecision']> {
  return (_name: string, outcome: RateLimitOutcome) => {
    if (outcome === 'limited' || (outcome === 'error' && failMode === 'closed')) {
      counter.inc({ limit });
    }
  };
}

export interface EdgeRateLimitConfig {
  REDIS_PREFIX: string;
  RATE_LIMIT_FAIL_MODE: 'open' | 'closed';
  GATEWAY_RATE_LIMIT_PER_IP: number;
  GATEWAY_RATE_LIMIT_PER_USER: number;
  GATEWAY_RATE_LIMIT_PER_TENANT: number;
  GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: number;
}

/**
 * The gateway's distributed request limits, one sliding window per subject in Redis, so
 * every pod shares one budget: per client IP (before authentication, so floods are cheap to
 * refuse), per signed-in user, per tenant (after tenant access is granted, so nobody can
 * spend another tenant's budget by naming it), and per IP for graphql-ws connections.
 */
export class EdgeRateLimits {
  readonly rejections: Counter<'limit'>;
  private readonly limiters: Record<Exclude<RateLimitName, 'api_key'>, SlidingWindowLimiter>;

  constructor(redis: RedisClient, config: EdgeRateLimitConfig, registry: Registry, logger: Logger) {
    this.rejections = rateLimitRejections(registry);
    let lastWarning = 0;
    const limiter = (name: string, limit: number) =>
      new SlidingWindowLimiter(redis, {
        prefix: config.REDIS_PREFIX,
        name,
        limit,
        windowMs: 60_000,
        failMode: config.RATE_LIMIT_FAIL_MODE,
        onDecision: (limiterName, outcome, error) => {
          // One warning per 10 s is enough to see Redis is away without flooding the log.
          if (outcome !== 'error' || Date.now() - lastWarning < 10_000) return;
          lastWarning = Date.now();
          logger.warn(
            { err: error, limiter: limiterName, failMode: config.RATE_LIMIT_FAIL_MODE },
            'rate limiter cannot reach Redis',
          );
        },
      });
    this.limiters = {
      ip: limiter('gateway-ip', config.GATEWAY_RATE_LIMIT_PER_IP),
      user: limiter('gateway-user', config.GATEWAY_RATE_LIMIT_PER_USER),
      tenant: limiter('gateway-tenant', config.GATEWAY_RATE_LIMIT_PER_TENANT),
      ws_connect: limiter('gateway-ws-connect', config.GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE),
    };
  }

  /** Per client IP; throws {@link RateLimitExceededError}. Requests with no IP are not limited. */
  async ip(request: RequestContext): Promise<void> {
    if (request.ip) await this.take('ip', request.ip);
  }

  /** Per signed-in user (API keys have their own limit); throws {@link RateLimitExceededError}. */
  async user(request: RequestContext): Promise<void> {
    if (request.principal?.kind === 'user') await this.take('user', request.principal.id);
  }

  /**
   * Per tenant, for a caller already let into it. Runs inside Apollo's pipeline, so it throws
   * a GraphQLError: 429 with Retry-After, masked to RATE_LIMITED with `retryAfter`.
   */
  async tenant(request: RequestContext): Promise<void> {
    if (!request.tenantId) return;
    try {
      await this.take('tenant', request.tenantId);
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
    if (ip) await this.take('ws_connect', ip);
  }

  private async take(limit: Exclude<RateLimitName, 'api_key'>, subject: string): Promise<void> {
    const decision = await this.limiters[limit].consume(subject);
    if (decision.allowed) return;
    this.rejections.inc({ limit });
    throw new RateLimitExceededError(limit, decision.retryAfterSeconds);
  }
}
