import { randomBytes } from 'node:crypto';
import { integerReply, luaNow, RedisScript, withDeadline } from '../../../../platform/redis/script';
import { redisKey, type RedisClient } from '../../../../platform/redis/connection';

/**
 * One atomic admission: drop the leases that ran out (their holder died), then take a slot if
 * fewer than the cap are held.
 *
 * KEYS[1]  sorted set of the endpoint's leases: member = lease id, score = expiry (ms)
 * ARGV     cap, lease (ms), lease id[, now (ms)]
 * Returns  { admitted (0|1), leases held after the call, ms until the oldest lease expires }
 *
 * Expiry rather than a plain counter: a worker killed with -9 never releases its slots, and a
 * counter would keep them taken for ever. The clock is the Redis server's TIME, so workers
 * with skewed clocks agree on which leases ran out; only tests pass their own time.
 */
const ACQUIRE = new RedisScript(`
local key = KEYS[1]
local cap = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local id = ARGV[3]

${luaNow(4)}

redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local held = redis.call('ZCARD', key)
if held < cap then
  redis.call('ZADD', key, now + lease, id)
  -- The newest lease expires last: the whole set can go once it has.
  redis.call('PEXPIRE', key, lease)
  return { 1, held + 1, 0 }
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return { 0, held, math.max(1, tonumber(oldest[2]) - now) }
`);

/** ioredis states after a connection was lost (not the first connection still being made). */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

export interface EndpointBulkheadOptions {
  /** The deployment's Redis prefix (REDIS_PREFIX). */
  prefix: string;
  /** Deliveries in flight to one endpoint at once, across every worker process. */
  cap: number;
  /** How long a slot stays taken when its holder never gives it back (killed). */
  leaseMs: number;
  /** A Redis answer slower than this counts as an error (default 1000 ms). */
  timeoutMs?: number;
  /** Milliseconds since the epoch instead of the Redis server's clock: for tests. */
  clock?: () => number;
}

export type SlotClaim =
  | {
      admitted: true;
      /** Slots of the endpoint held with this one, every worker counted. */
      inFlight: number;
      /** Gives the slot back; safe to call more than once, never throws. */
      release(): Promise<void>;
    }
  | { admitted: false; inFlight: number; retryAfterMs: number }
  /** Redis could not answer: admitted without a slot (see {@link EndpointBulkhead.claim}). */
  | { admitted: true; inFlight: null; error: unknown; release(): Promise<void> };

/**
 * A per-endpoint concurrency cap shared by every worker process: at most `cap` leases per
 * endpoint in a Redis sorted set, each with an expiry so a killed worker's slots come back by
 * themselves after `leaseMs`. One key per call, so standalone, Sentinel and Cluster all work.
 */
export class EndpointBulkhead {
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: EndpointBulkheadOptions,
  ) {
    if (!Number.isInteger(options.cap) || options.cap < 1) {
      throw new RangeError('cap must be a positive integer');
    }
    if (!Number.isInteger(options.leaseMs) || options.leaseMs < 1) {
      throw new RangeError('leaseMs must be a positive integer');
    }
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /**
   * Takes one of the endpoint's slots if one is free. When Redis cannot answer the delivery
   * is admitted without a slot: the cap protects the other endpoints' share of the workers,
   * not correctness, and a worker cut off from Redis cannot finish a job anyway.
   */
  async claim(endpointId: string): Promise<SlotClaim> {
    const key = this.key(endpointId);
    const leaseId = randomBytes(12).toString('base64url');
    try {
      if (DISCONNECTED.has(this.redis.status)) {
        throw new Error(`Redis connection is ${this.redis.status}`);
      }
      const args: (string | number)[] = [this.options.cap, this.options.leaseMs, leaseId];
      if (this.options.clock) args.push(this.options.clock());
      const [admitted, inFlight, retryAfterMs] = parseReply(
        await this.answer(ACQUIRE.run(this.redis, [key], args)),
      );
      if (!admitted) return { admitted: false, inFlight, retryAfterMs };
      return { admitted: true, inFlight, release: this.releaser(key, leaseId) };
    } catch (error) {
      return { admitted: true, inFlight: null, error, release: () => Promise.resolve() };
    }
  }

  /** Leases the endpoint holds now (expired ones not counted). */
  async inFlight(endpointId: string): Promise<number> {
    const now = this.options.clock?.() ?? Date.now();
    return this.redis.zcount(this.key(endpointId), `(${now}`, '+inf');
  }

  private releaser(key: string, leaseId: string): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // A release that fails leaves the slot to its lease: it frees itself a little later.
      await this.answer(this.redis.zrem(key, leaseId)).catch(() => undefined);
    };
  }

  private key(endpointId: string): string {
    if (endpointId.length === 0) throw new RangeError('endpoint id must not be empty');
    return redisKey(this.options.prefix, 'bulkhead', 'webhook-endpoint', endpointId);
  }

  private answer<T>(promise: Promise<T>): Promise<T> {
    return withDeadline(
      promise,
      this.timeoutMs,
      `endpoint bulkhead: no answer from Redis in ${this.timeoutMs} ms`,
    );
  }
}

function parseReply(reply: unknown): [boolean, number, number] {
  const [admitted, inFlight, retryAfterMs] = integerReply(reply, 3, 'endpoint bulkhead');
  return [admitted === 1, inFlight!, retryAfterMs!];
}
