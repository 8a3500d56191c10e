import { randomBytes } from 'node:crypto';
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

/**
 * Several sliding windows decided in one atomic step, all or nothing: the cost is taken from
 * every window only if it fits in each, so a refused request spends no budget at all.
 *
 * KEYS     one sorted set per window: member = unique id, score = admission time (ms)
 * ARGV     window (ms), cost, unique id of this call, now (ms, or '' for the server's TIME),
 *          then one limit per key
 * Returns  { allowed (0|1), index of the refusing key (1-based, 0 when allowed), retry (ms) }
 */
const SCRIPT = `
local window = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local id = ARGV[3]
${luaNow(4)}

for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[4 + i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count + cost > limit then
    local retry = window
    if cost <= limit then
      local index = count + cost - limit - 1
      local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
      if entry[2] then retry = tonumber(entry[2]) + window - now end
    end
    if retry < 1 then retry = 1 end
    return { 0, i, retry }
  end
end
for _, key in ipairs(KEYS) do
  for c = 1, cost do
    redis.call('ZADD', key, now, id .. ':' .. c)
  end
  redis.call('PEXPIRE', key, window)
end
return { 1, 0, 0 }
`;

const WINDOW_SET = new RedisScript(SCRIPT);

const NAME_PATTERN = /^[a-z0-9_-]{1,64}$/i;

export interface WindowSetOptions<Name extends string> {
  /** The deployment's Redis prefix (REDIS_PREFIX). */
  prefix: string;
  /**
   * Names every key of the set into one Redis Cluster slot (a hash tag), as one script may
   * only touch keys of one slot: a Cluster serves all of this set's windows from one node.
   */
  slot: string;
  /** Units admitted per window, by window name (a bounded set: names are metric labels). */
  limits: Readonly<Record<Name, number>>;
  windowMs: number;
  /** What to do when Redis cannot answer: admit (`open`) or refuse (`closed`). */
  failMode: 'open' | 'closed';
  /** A Redis answer slower than this counts as an error (default 1000 ms). */
  timeoutMs?: number;
  /** Called once per decision, with the windows it spanned. */
  onDecision?: (names: readonly Name[], outcome: RateLimitOutcome, error?: unknown) => void;
  /** Milliseconds since the epoch instead of the Redis server's clock: for tests. */
  clock?: () => number;
}

export interface WindowSetDecision<Name extends string> extends RateLimitDecision {
  /** The window that refused (the first listed, when Redis is away and the mode is closed). */
  refusedBy?: Name;
}

/**
 * Distributed sliding-window limits (at most `limit` units per window in any `windowMs`,
 * shared by every process over one Redis) where one request spends several windows, e.g. its
 * client IP's, its user's and its tenant's, in a single round trip.
 */
export class SlidingWindowSet<Name extends string> {
  private readonly timeoutMs: number;
  /** Call ids are this process's random part and a counter: unique, and cheap to make. */
  private readonly idPrefix = randomBytes(9).toString('base64url');
  private calls = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: WindowSetOptions<Name>,
  ) {
    for (const [name, limit] of Object.entries<number>(options.limits)) {
      if (!NAME_PATTERN.test(name)) throw new RangeError(`window name must match ${NAME_PATTERN}`);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new RangeError(`limit of ${name} must be a positive integer`);
      }
    }
    if (!NAME_PATTERN.test(options.slot)) throw new RangeError(`slot must match ${NAME_PATTERN}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) {
      throw new RangeError('windowMs must be a positive integer');
    }
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /**
   * Takes `cost` units from the window of each listed subject if they fit in all of them,
   * else none. A subject is part of a Redis key: an id or an IP, never a raw credential.
   */
  async consume(
    subjects: readonly (readonly [Name, string])[],
    cost = 1,
  ): Promise<WindowSetDecision<Name>> {
    if (subjects.length === 0) throw new RangeError('name at least one window');
    const names = subjects.map(([name]) => name);
    // A client that lost its connection queues commands until it is back or gives up: decide
    // at once instead, so while Redis is away each check costs the fail mode, not the timeout.
    if (DISCONNECTED.has(this.redis.status)) {
      const error = new Error(`Redis connection is ${this.redis.status}`);
      this.options.onDecision?.(names, 'error', error);
      return this.degraded(names[0]!, cost);
    }
    const keys = subjects.map(([name, subject]) => this.key(name, subject));
    const limits = names.map((name) => this.options.limits[name]);
    const callId = `${this.idPrefix}${(this.calls++).toString(36)}`;
    const now = this.options.clock ? this.options.clock() : '';
    let reply: [boolean, number, number];
    try {
      const args = [this.options.windowMs, cost, callId, now, ...limits];
      reply = parseReply(await limiterCall(WINDOW_SET, this.redis, keys, args, this.timeoutMs));
    } catch (error) {
      this.options.onDecision?.(names, 'error', error);
      return this.degraded(names[0]!, cost);
    }
    const [allowed, refusing, retryAfterMs] = reply;
    this.options.onDecision?.(names, allowed ? 'allowed' : 'limited');
    if (allowed) return answeredDecision(true, 0, 0);
    return { ...answeredDecision(false, 0, retryAfterMs), refusedBy: names[refusing - 1] };
  }

  private key(name: Name, subject: string): string {
    if (subject.length === 0) throw new RangeError('subject must not be empty');
    const { prefix, slot } = this.options;
    return redisKey(prefix, 'ratelimit', `{${prefix}:${slot}}`, name, subject);
  }

  private degraded(first: Name, cost: number): WindowSetDecision<Name> {
    const { failMode, limits, windowMs } = this.options;
    const decision = degradedDecision(failMode, limits[first], windowMs, cost);
    return decision.allowed ? decision : { ...decision, refusedBy: first };
  }
}

function parseReply(reply: unknown): [boolean, number, number] {
  const [allowed, refusing, retryAfterMs] = threeNumbers(reply);
  return [allowed === 1, refusing, retryAfterMs];
}
