import { randomBytes } from 'node:crypto';
import { RateLimitedError } from '../errors/domain-errors';
import { redisKey, type RedisClient } from '../redis/connection';
import { luaNow, RedisScript } from '../redis/script';
import {
  answeredDecision,
  degradedDecision,
  DISCONNECTED,
  limiterCall,
  threeNumbers,
  type RateLimitDecision,
  type RateLimitOutcome,
} from './script-call';

export type { RateLimitDecision, RateLimitOutcome };

/**
 * One atomic step of the sliding window, so concurrent callers on any number of processes
 * can never admit more than the limit between a read and a write.
 *
 * KEYS[1]  sorted set of admitted units: member = unique id, score = admission time (ms)
 * ARGV     limit, window (ms), cost, unique id of this call[, now (ms)]
 * Returns  { allowed (0|1), remaining, retry after (ms) }
 *
 * The clock is the Redis server's TIME, not the caller's, so processes with skewed clocks
 * still agree on the window; only a limiter given a clock (tests) passes its own time. (A
 * script that writes after TIME relies on effect replication, the default since Redis 5;
 * BullMQ already needs 6.2.)
 */
const SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local id = ARGV[4]

${luaNow(5)}

redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)

if count + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', key, now, id .. ':' .. i)
  end
  redis.call('PEXPIRE', key, window)
  return { 1, limit - count - cost, 0 }
end

-- Room for this cost returns once the (count + cost - limit) oldest units have left the
-- window; a cost above the limit never fits, so it is told to wait a whole window.
local retry = window
if cost <= limit then
  local index = count + cost - limit - 1
  local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  if entry[2] then retry = tonumber(entry[2]) + window - now end
end
if retry < 1 then retry = 1 end
return { 0, math.max(0, limit - count), retry }
`;

const SLIDING_WINDOW = new RedisScript(SCRIPT);

const NAME_PATTERN = /^[a-z0-9_-]{1,64}$/i;

export interface SlidingWindowOptions {
  /** The deployment's Redis prefix (REDIS_PREFIX). */
  prefix: string;
  /** What is limited, e.g. `sign-in` or `graphql`; a bounded set, as it is a metric label. */
  name: string;
  /** Units admitted per window. */
  limit: number;
  windowMs: number;
  /** What to do when Redis cannot answer: admit (`open`) or refuse (`closed`). */
  failMode: 'open' | 'closed';
  /** A Redis answer slower than this counts as an error (default 1000 ms). */
  timeoutMs?: number;
  /** Called once per decision, e.g. to count decisions in a prom-client Counter or log errors. */
  onDecision?: (name: string, outcome: RateLimitOutcome, error?: unknown) => void;
  /**
   * Milliseconds since the epoch, instead of the Redis server's clock: for tests that move
   * time on. (Key expiry still follows Redis's own clock.)
   */
  clock?: () => number;
}

/**
 * A distributed sliding-window rate limiter: at most `limit` units in any `windowMs`,
 * counted in Redis so every process shares one budget per subject. Each call touches one
 * key, so it works on standalone, Sentinel and Cluster alike.
 */
export class SlidingWindowLimiter {
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: SlidingWindowOptions,
  ) {
    if (!NAME_PATTERN.test(options.name)) {
      throw new RangeError(`limiter name must match ${NAME_PATTERN}`);
    }
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new RangeError('limit must be a positive integer');
    }
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) {
      throw new RangeError('windowMs must be a positive integer');
    }
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /**
   * Takes `cost` units for `subject` if they fit in the window. The subject is part of a
   * Redis key: pass an id or an IP, never a raw credential (hash it with hashToken first).
   * A cost above the limit is refused rather than thrown, as costs are often client-driven.
   */
  async consume(subject: string, cost = 1): Promise<RateLimitDecision> {
    if (!Number.isInteger(cost) || cost < 1) {
      throw new RangeError('cost must be a positive integer');
    }
    const { limit, windowMs, name } = this.options;
    const key = this.key(subject);
    // A client that lost its connection queues commands until it is back or gives up: decide
    // at once instead, so while Redis is away each check costs the fail mode, not the timeout.
    if (DISCONNECTED.has(this.redis.status)) {
      this.options.onDecision?.(
        name,
        'error',
        new Error(`Redis connection is ${this.redis.status}`),
      );
      return this.degraded(cost);
    }
    const callId = randomBytes(9).toString('base64url');
    let reply: [boolean, number, number];
    try {
      const args = [limit, windowMs, cost, callId];
      if (this.options.clock) args.push(this.options.clock());
      reply = parseReply(
        await limiterCall(SLIDING_WINDOW, this.redis, [key], args, this.timeoutMs),
      );
    } catch (error) {
      this.options.onDecision?.(name, 'error', error);
      return this.degraded(cost);
    }
    const [allowed, remaining, retryAfterMs] = reply;
    this.options.onDecision?.(name, allowed ? 'allowed' : 'limited');
    return answeredDecision(allowed, remaining, retryAfterMs);
  }

  /** Like {@link consume}, but a refusal throws RateLimitedError (GraphQL `RATE_LIMITED`). */
  async check(subject: string, cost = 1): Promise<RateLimitDecision> {
    const decision = await this.consume(subject, cost);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    return decision;
  }

  /** Forgets everything counted for `subject` (e.g. after a successful sign-in). */
  async reset(subject: string): Promise<void> {
    await this.redis.del(this.key(subject));
  }

  private key(subject: string): string {
    if (subject.length === 0) throw new RangeError('subject must not be empty');
    return redisKey(this.options.prefix, 'ratelimit', this.options.name, subject);
  }

  private degraded(cost: number): RateLimitDecision {
    const { failMode, limit, windowMs } = this.options;
    return degradedDecision(failMode, limit, windowMs, cost);
  }
}

function parseReply(reply: unknown): [boolean, number, number] {
  const [allowed, remaining, retryAfterMs] = threeNumbers(reply);
  return [allowed === 1, remaining, retryAfterMs];
}
