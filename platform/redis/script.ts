import { createHash } from 'node:crypto';
import type { RedisClient } from './connection';

/**
 * A Lua script run by its SHA (EVALSHA), sent whole (EVAL, which also caches it) only on a
 * server that does not have it yet, e.g. after a restart or on a new Cluster node.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Lua that sets `now` (milliseconds) from `ARGV[argIndex]` when the caller passed one (a test's
 * clock), else from the Redis server's TIME, so processes with skewed clocks agree. A script
 * that writes after TIME relies on effect replication, the default since Redis 5.
 */
export function luaNow(argIndex: number): string {
  return `local now = tonumber(ARGV[${argIndex}])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end`;
}

/**
 * Rejects with `message` when `promise` has not settled within `timeoutMs`: a client that lost
 * its connection queues commands instead of failing them, and a caller on a hot path would
 * rather decide without Redis than wait for it.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A script's reply that must be a list of `count` integers; `what` names the caller in the error. */
export function integerReply(reply: unknown, count: number, what: string): number[] {
  if (
    !Array.isArray(reply) ||
    reply.length !== count ||
    !reply.every((value) => typeof value === 'number')
  ) {
    throw new Error(`${what}: unexpected reply from Redis`);
  }
  return reply;
}
