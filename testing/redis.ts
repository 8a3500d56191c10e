import { Redis, type RedisOptions } from 'ioredis';
import { randomSuffix, TEST_REDIS_URL } from './services';

/** A Redis key prefix no other test file uses. */
export function testRedisPrefix(): string {
  return `t${randomSuffix()}`;
}

/** Deletes every key a test wrote under its prefix (plain and BullMQ's hash-tagged form). */
export async function cleanupRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * A client for a Redis that is not there: nothing listens on port 1, no command is queued or
 * retried, and the client ends after its one refused connection, so every command fails at once.
 */
export function unreachableRedis(options: RedisOptions = {}): Redis {
  const dead = new Redis('redis://127.0.0.1:1', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...options,
  });
  dead.on('error', () => undefined);
  return dead;
}

/**
 * Disconnects a test's client without keeping the jest worker alive after its last test.
 * ioredis's `disconnect()` arms a 2 s timer that only the socket's next 'close' clears; a
 * client that has ended (refused with no retry, or disconnected before) has no socket left to
 * close, so disconnecting it again left that timer running, and jest forced the worker out.
 */
export function dropRedis(redis: Redis): void {
  if (redis.status !== 'end') redis.disconnect();
}
