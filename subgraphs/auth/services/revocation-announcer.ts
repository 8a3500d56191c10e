import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { announceRevokedSessions } from '../../../platform/auth';
import type { RedisClient } from '../../../platform/redis';
import { SessionRepository } from '../repositories/session.repository';

/**
 * Tells every gateway pod which sessions were revoked, so their access tokens stop working
 * within a second rather than when they expire. The database is the record: every
 * `resyncMs` the sessions revoked within one access-token lifetime are announced again, so
 * an announcement lost to a Redis outage is repaired without anyone noticing.
 */
export class RevocationAnnouncer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly accessTokenTtlSeconds: number,
    private readonly logger: Logger,
    private readonly resyncMs = 30_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.resync(), this.resyncMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Call after the revoking transaction committed. Never throws: the resync repairs. */
  async announce(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const until = new Date(Date.now() + this.accessTokenTtlSeconds * 1000);
    try {
      await announceRevokedSessions(
        this.redis,
        this.prefix,
        sessionIds.map((sessionId) => ({ sessionId, until })),
      );
    } catch (error) {
      this.logger.error(
        { err: error, sessions: sessionIds.length },
        'announcing revoked sessions failed; the next resync retries',
      );
    }
  }

  async resync(): Promise<void> {
    try {
      const ttlMs = this.accessTokenTtlSeconds * 1000;
      const revoked = await new SessionRepository(this.dataSource.manager).revokedSince(
        new Date(Date.now() - ttlMs),
      );
      await announceRevokedSessions(
        this.redis,
        this.prefix,
        revoked.map(({ id, revokedAt }) => ({
          sessionId: id,
          until: new Date(revokedAt.getTime() + ttlMs),
        })),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 're-announcing revoked sessions failed');
    }
  }
}
