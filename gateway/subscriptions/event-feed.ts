import { LRUCache } from 'lru-cache';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from 'pino';
import {
  eventChannel,
  parsePublishedEvent,
  type PublishedEvent,
} from '../../platform/events/channel';
import type { RedisClient } from '../../platform/redis/connection';

/** What a subscription needs of the feed. */
export type FeedListener = Pick<EventFeed, 'listen'>;

/**
 * The feed as one subscription sees it, counting it in `active` from the moment its channel
 * is subscribed until it stops listening: the gauge says how many subscriptions would get
 * an event published now.
 */
export function countedListener(
  feed: FeedListener,
  active: { inc(): void; dec(): void },
): FeedListener {
  return {
    async listen(tenantId, onEvent) {
      const stop = await feed.listen(tenantId, onEvent);
      active.inc();
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        active.dec();
        stop();
      };
    },
  };
}

/**
 * Tenants' committed events as the relay publishes them, for every subscriber on this pod:
 * one Redis subscriber connection, one channel per tenant that someone here watches,
 * subscribed while at least one subscriber needs it.
 */
export class EventFeed {
  private readonly pubsub: RedisPubSub;

  constructor(
    publisher: RedisClient,
    subscriber: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.pubsub = new RedisPubSub({
      publisher,
      subscriber,
      // The relay's messages are validated here, not revived by JSON.parse.
      deserializer: (message: string | Buffer) => message.toString(),
    });
  }

  /**
   * One parsed (and validated) event per message, whatever the number of listeners: every
   * subscriber of a tenant gets the same message at once, and the same object lets them share
   * its rendering (see event-subscription.ts).
   */
  private readonly parsed = new LRUCache<string, { event: PublishedEvent | null }>({ max: 256 });

  private parse(message: string): PublishedEvent | null {
    let entry = this.parsed.get(message);
    if (!entry) {
      entry = { event: parsePublishedEvent(message) };
      this.parsed.set(message, entry);
    }
    return entry.event;
  }

  /**
   * Calls `onEvent` for each event of the tenant (null: the platform's); resolves with the
   * function that stops it.
   */
  async listen(
    tenantId: string | null,
    onEvent: (event: PublishedEvent) => void,
  ): Promise<() => void> {
    const id = await this.pubsub.subscribe<string>(
      eventChannel(this.prefix, tenantId),
      (message) => {
        const event = this.parse(message);
        if (event) onEvent(event);
        else this.logger.warn({ tenantId }, 'unreadable event message skipped');
      },
    );
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.pubsub.unsubscribe(id);
    };
  }
}
