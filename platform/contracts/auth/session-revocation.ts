import type { Logger } from 'pino';
import { redisKey, type RedisClient } from '../../redis/connection';
import { announceTimes, SharedTimes } from './shared-times';

/**
 * Revoked sessions, shared by the auth subgraph (which revokes) and every gateway pod (which
 * refuses their access tokens). A sorted set holds each revoked session id until its last
 * access token has expired; a pub/sub channel tells every pod at once.
 */
export function revokedSessionsKey(prefix: string): string {
  return redisKey(prefix, 'auth', 'revoked-sessions');
}

export interface RevokedSession {
  sessionId: string;
  /** When the last access token of the session expires; no need to remember it after. */
  until: Date;
}

export async function announceRevokedSessions(
  redis: RedisClient,
  prefix: string,
  revoked: readonly RevokedSession[],
): Promise<void> {
  await announceTimes(
    redis,
    revokedSessionsKey(prefix),
    revoked.map(({ sessionId, until }) => [sessionId, until.getTime()]),
    Date.now(),
  );
}

/**
 * A gateway pod's copy of the revoked sessions: checked in memory on every request (see
 * {@link SharedTimes} for how it stays current).
 */
export class RevocationList extends SharedTimes {
  constructor(
    subscriber: RedisClient,
    reader: RedisClient,
    prefix: string,
    logger: Logger,
    resyncMs = 30_000,
  ) {
    super(subscriber, reader, revokedSessionsKey(prefix), logger, { resyncMs });
  }

  isRevoked(sessionId: string): boolean {
    const until = this.timeOf(sessionId);
    return until !== undefined && until > this.now();
  }
}
