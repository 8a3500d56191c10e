import type { Logger } from 'pino';
import { redisKey, type RedisClient } from '../../redis/connection';
import { announceTimes, SharedTimes } from './shared-times';

/**
 * When API keys stop working before the expiry the gateway learnt with them: revoked (now),
 * or rotated (at the end of the grace period). Auth announces each ending the way it
 * announces revoked sessions (a sorted set and a pub/sub channel, see shared-times.ts), and
 * every gateway pod refuses the key from then on, over HTTP despite its cache, and on open
 * sockets.
 */
export function apiKeyEndingsKey(prefix: string): string {
  return redisKey(prefix, 'auth', 'api-key-endings');
}

/**
 * How long an ending is remembered after it passed. Past it, every cached answer of the key
 * has expired and auth refuses the key itself; the margin covers a pod that was cut off from
 * Redis for a while and still holds sockets of the key when it reads the set again.
 */
export const API_KEY_ENDINGS_KEPT_MS = 24 * 60 * 60 * 1000;

export interface ApiKeyEnding {
  apiKeyId: string;
  endsAt: Date;
}

export async function announceApiKeyEndings(
  redis: RedisClient,
  prefix: string,
  endings: readonly ApiKeyEnding[],
): Promise<void> {
  await announceTimes(
    redis,
    apiKeyEndingsKey(prefix),
    endings.map(({ apiKeyId, endsAt }) => [apiKeyId, endsAt.getTime()]),
    Date.now() - API_KEY_ENDINGS_KEPT_MS,
  );
}

/** A gateway pod's copy of the announced endings. An ending only ever moves earlier. */
export class ApiKeyEndings extends SharedTimes {
  constructor(
    subscriber: RedisClient,
    reader: RedisClient,
    prefix: string,
    logger: Logger,
    options: { resyncMs?: number; now?: () => number } = {},
  ) {
    super(subscriber, reader, apiKeyEndingsKey(prefix), logger, {
      ...options,
      keepMs: API_KEY_ENDINGS_KEPT_MS,
      prefer: 'earlier',
    });
  }

  /** Whether the key `apiKeyId` was revoked, or its rotation grace is over, at `at`. */
  hasEnded(apiKeyId: string, at = this.now()): boolean {
    const endsAt = this.timeOf(apiKeyId);
    return endsAt !== undefined && endsAt <= at;
  }
}
