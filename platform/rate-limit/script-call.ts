import type { RedisClient } from '../redis/connection';
import { integerReply, RedisScript, withDeadline } from '../redis/script';

/** ioredis states after a connection was lost (not the first connection still being made). */
export const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

/**
 * While Redis is down a fail-closed limiter tells clients to come back after this long
 * (or after one window, if shorter): soon enough to notice recovery, not a retry storm.
 */
const DEGRADED_RETRY_MS = 5_000;

export type RateLimitOutcome = 'allowed' | 'limited' | 'error';

export interface RateLimitDecision {
  allowed: boolean;
  /** Units still available in the current window (an estimate when degraded). */
  remaining: number;
  /** 0 when allowed; otherwise at least 1, ready for a Retry-After header. */
  retryAfterSeconds: number;
  /** The same, in milliseconds, for callers that wait less than a second. */
  retryAfterMs: number;
  /** True when Redis could not answer and the fail mode decided. */
  degraded: boolean;
}

/** What the fail mode decides while Redis cannot answer. */
export function degradedDecision(
  failMode: 'open' | 'closed',
  limit: number,
  windowMs: number,
  cost: number,
): RateLimitDecision {
  if (failMode === 'open') {
    // Unknown while Redis is away; reported as if the window were empty.
    return {
      allowed: true,
      remaining: Math.max(0, limit - cost),
      retryAfterMs: 0,
      retryAfterSeconds: 0,
      degraded: true,
    };
  }
  const retryAfterMs = Math.min(windowMs, DEGRADED_RETRY_MS);
  return {
    allowed: false,
    remaining: 0,
    retryAfterMs,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    degraded: true,
  };
}

/** A decision Redis answered: allowed, or refused until `retryAfterMs` from now. */
export function answeredDecision(
  allowed: boolean,
  remaining: number,
  retryAfterMs: number,
): RateLimitDecision {
  return {
    allowed,
    remaining,
    retryAfterMs,
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(retryAfterMs / 1000)),
    degraded: false,
  };
}

/** A limiter script's reply: three integers, or an error for anything else. */
export function threeNumbers(reply: unknown): [number, number, number] {
  return integerReply(reply, 3, 'rate limiter') as [number, number, number];
}

/** A limiter script's call, or an error once `timeoutMs` passed without its answer. */
export function limiterCall(
  script: RedisScript,
  redis: RedisClient,
  keys: readonly string[],
  args: readonly (string | number)[],
  timeoutMs: number,
): Promise<unknown> {
  return withDeadline(
    script.run(redis, keys, args),
    timeoutMs,
    `rate limiter: no answer from Redis in ${timeoutMs} ms`,
  );
}
