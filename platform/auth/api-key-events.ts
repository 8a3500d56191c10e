import { redisKey, type RedisClient } from '../redis';

/** Tells gateways to forget a cached API key (revoked, rotated): the key's id is the message. */
export function apiKeyChangedChannel(prefix: string): string {
  return redisKey(prefix, 'auth', 'api-key-changed');
}

export async function publishApiKeyChanged(
  redis: RedisClient,
  prefix: string,
  apiKeyId: string,
): Promise<void> {
  await redis.publish(apiKeyChangedChannel(prefix), apiKeyId);
}
