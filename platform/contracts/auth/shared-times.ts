import type { Logger } from 'pino';
import type { RedisClient } from '../../redis/connection';

/** One entry: an id and a time (milliseconds since the epoch). */
export type TimedEntry = readonly [id: string, time: number];

/**
 * Announces times by id to every gateway pod: a Redis sorted set (score = the time) that a pod
 * reads whole after connecting, and a pub/sub message on a channel of the same name for the
 * pods already listening. Entries whose time is before `forgetBefore` are dropped from the set.
 */
export async function announceTimes(
  redis: RedisClient,
  key: string,
  entries: readonly TimedEntry[],
  forgetBefore: number,
): Promise<void> {
  if (entries.length === 0) return;
  await redis
    .multi()
    .zadd(key, ...entries.flatMap(([id, time]) => [time, id]))
    .zremrangebyscore(key, '-inf', forgetBefore)
    .exec();
  await redis.publish(key, JSON.stringify(entries));
}

export interface SharedTimesOptions {
  /** How long past its time an entry is still remembered (0: forgotten once it passed). */
  keepMs?: number;
  /** When two announcements of one id disagree, which time stands. */
  prefer?: 'earlier' | 'later';
  resyncMs?: number;
  now?: () => number;
}

/**
 * A gateway pod's copy of the times {@link announceTimes} announces under `key`: read in
 * memory on every request, kept current by pub/sub, and read whole again after every
 * reconnect (messages sent while disconnected are lost) and every `resyncMs` as a safety net.
 */
export class SharedTimes {
  private readonly times = new Map<string, number>();
  private readonly keepMs: number;
  private readonly prefer: 'earlier' | 'later';
  private readonly resyncMs: number;
  protected readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private synced = false;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly reader: RedisClient,
    private readonly key: string,
    private readonly logger: Logger,
    options: SharedTimesOptions = {},
  ) {
    this.keepMs = options.keepMs ?? 0;
    this.prefer = options.prefer ?? 'later';
    this.resyncMs = options.resyncMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.key) this.receive(message);
    });
    this.subscriber.on('ready', () => void this.resync());
    await this.subscriber.subscribe(this.key);
    await this.resync();
    this.timer = setInterval(() => void this.resync(), this.resyncMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber.unsubscribe(this.key).catch(() => undefined);
  }

  /** The time announced for `id`, if it is still remembered. */
  timeOf(id: string): number | undefined {
    return this.times.get(id);
  }

  /** False until the first full read succeeded: readiness reports it. */
  get ready(): boolean {
    return this.synced;
  }

  get size(): number {
    return this.times.size;
  }

  private set(id: string, time: number): void {
    const current = this.times.get(id);
    if (current === undefined || (this.prefer === 'earlier' ? time < current : time > current)) {
      this.times.set(id, time);
    }
  }

  private receive(message: string): void {
    try {
      for (const [id, time] of JSON.parse(message) as [string, number][]) this.set(id, time);
    } catch (error) {
      this.logger.warn({ err: error, key: this.key }, 'unreadable announcement');
    }
  }

  private async resync(): Promise<void> {
    try {
      const horizon = this.now() - this.keepMs;
      const entries = await this.reader.zrangebyscore(this.key, horizon, '+inf', 'WITHSCORES');
      for (let i = 0; i + 1 < entries.length; i += 2) this.set(entries[i]!, Number(entries[i + 1]));
      for (const [id, time] of this.times) {
        if (time <= horizon) this.times.delete(id);
      }
      this.synced = true;
    } catch (error) {
      this.logger.warn({ err: error, key: this.key }, 'reading announced times failed; will retry');
    }
  }
}
