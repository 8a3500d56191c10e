import type { Logger } from 'pino';
import { redisKey, type RedisClient } from '../redis';

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
  if (revoked.length === 0) return;
  const key = revokedSessionsKey(prefix);
  const members = revoked.flatMap(({ sessionId, until }) => [until.getTime(), sessionId]);
  await redis
    .multi()
    .zadd(key, ...members)
    .zremrangebyscore(key, '-inf', Date.now())
    .exec();
  await redis.publish(
    key,
    JSON.stringify(revoked.map(({ sessionId, until }) => [sessionId, until.getTime()])),
  );
}

/**
 * A gateway pod's copy of the revoked sessions: checked in memory on every request, kept
 * current by pub/sub, and read whole again after every reconnect (messages sent while
 * disconnected are lost) and every `resyncMs` as a safety net.
 */
export class RevocationList {
  private readonly revoked = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private synced = false;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly reader: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly resyncMs = 30_000,
  ) {}

  async start(): Promise<void> {
    const key = revokedSessionsKey(this.prefix);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === key) this.add(message);
    });
    this.subscriber.on('ready', () => void this.resync());
    await this.subscriber.subscribe(key);
    await this.resync();
    this.timer = setInterval(() => void this.resync(), this.resyncMs);
    this.timer.unref();
  }

  isRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    return until !== undefined && until > Date.now();
  }

  /** False until the first full read succeeded: readiness reports it. */
  get ready(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.revoked.size;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber.unsubscribe().catch(() => undefined);
  }

  private add(message: string): void {
    try {
      for (const [sessionId, until] of JSON.parse(message) as [string, number][]) {
        this.revoked.set(sessionId, until);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'unreadable session revocation message');
    }
  }

  private async resync(): Promise<void> {
    try {
      const now = Date.now();
      const entries = await this.reader.zrangebyscore(
        revokedSessionsKey(this.prefix),
        now,
        '+inf',
        'WITHSCORES',
      );
      for (let i = 0; i + 1 < entries.length; i += 2) {
        this.revoked.set(entries[i]!, Number(entries[i + 1]));
      }
      for (const [sessionId, until] of this.revoked) {
        if (until <= now) this.revoked.delete(sessionId);
      }
      this.synced = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'reading revoked sessions failed; will retry');
    }
  }
}
