import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  announceApiKeyEndings,
  API_KEY_ENDINGS_KEPT_MS,
  type ApiKeyEnding,
} from '../../../platform/contracts/auth/api-key-endings';
import { announceRevokedSessions } from '../../../platform/contracts/auth/session-revocation';
import type { RedisClient } from '../../../platform/redis/connection';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import { SessionRepository } from '../repositories/session.repository';

/**
 * Tells every gateway pod which sessions were revoked and when revoked or rotated API keys
 * stop working, so their tokens and keys are refused (and their sockets closed) within a
 * second rather than when a cache expires. The database is the record: every `resyncMs` the
 * recent revocations are announced again, so an announcement lost to a Redis outage is
 * repaired without anyone noticing.
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
    await this.attempt('revoked sessions', () =>
      announceRevokedSessions(
        this.redis,
        this.prefix,
        sessionIds.map((sessionId) => ({ sessionId, until })),
      ),
    );
  }

  /** Call after the revocation or rotation committed. Never throws: the resync repairs. */
  async announceApiKeys(endings: readonly ApiKeyEnding[]): Promise<void> {
    await this.attempt('API key endings', () =>
      announceApiKeyEndings(this.redis, this.prefix, endings),
    );
  }

  async resync(): Promise<void> {
    const ttlMs = this.accessTokenTtlSeconds * 1000;
    await this.attempt('revoked sessions again', async () => {
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
    });
    await this.attempt('API key endings again', async () => {
      const endings = await new ApiKeyRepository(this.dataSource.manager).endingsSince(
        new Date(Date.now() - API_KEY_ENDINGS_KEPT_MS),
      );
      await announceApiKeyEndings(
        this.redis,
        this.prefix,
        endings.map(({ id, endsAt }) => ({ apiKeyId: id, endsAt })),
      );
    });
  }

  private async attempt(what: string, announce: () => Promise<void>): Promise<void> {
    try {
      await announce();
    } catch (error) {
      this.logger.error({ err: error }, `announcing ${what} failed; the next resync retries`);
    }
  }
}
