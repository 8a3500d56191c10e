import { Redis } from 'ioredis';
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
