import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  MEMBERSHIP_HEARTBEAT_MS,
  MEMBERSHIP_LEASE_MS,
  membershipChangesChannel,
  membershipHeartbeatChannel,
} from '../../platform/contracts/tenancy/membership-events';
import type { RedisClient } from '../../platform/redis/connection';

/** What the watch tells the keeper of role answers. */
export interface MembershipListener {
  /** The tenant's memberships changed: forget what is kept of it. */
  tenantChanged(tenantId: string): void;
  /** Announcements may have been missed: forget everything kept. */
  allChanged(): void;
}

export interface MembershipWatchOptions {
  /** A connection in subscriber mode (shared with the pod's other subscriptions). */
  subscriber: RedisClient;
  /** A command connection, for the heartbeats. */
  publisher: RedisClient;
  prefix: string;
  logger: Logger;
  /** Milliseconds on a monotonic clock; `performance.now` by default. */
  clock?: () => number;
  leaseMs?: number;
  heartbeatMs?: number;
}

/**
 * Lets this process use the role answers it keeps without reading the tenant's generation
 * marker per request, and stay exact about revocation. Tenancy announces each change on one
 * channel and then waits {@link MEMBERSHIP_LEASE_MS} before its mutation answers
 * (publishMembershipChanged). This process publishes a heartbeat on a channel of its own every
 * {@link MEMBERSHIP_HEARTBEAT_MS}, on another connection. Redis delivers a connection's
 * messages in the order it ran the PUBLISHes, so a heartbeat that came back proves every change
 * announced before it was sent has been applied here. The answers kept are trusted only while
 * the newest heartbeat back was sent less than a lease ago: once a change's announcer answers,
 * this process has applied it or trusts nothing it keeps, and reads the marker again.
 *
 * A lost connection loses messages: everything kept is forgotten when it closes, and again
 * when the first heartbeat after it comes back (answers looked up in between may predate a
 * change this process never heard of). Redis Cluster relays PUBLISHes between nodes, with no
 * such order: the gateway does not use the watch there.
 */
export class MembershipWatch {
  private readonly processId = randomBytes(9).toString('base64url');
  private readonly changesChannel: string;
  private readonly heartbeatChannel: string;
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  /** Bumped by every lost connection: heartbeats sent before it prove nothing. */
  private epoch = 0;
  /** The epoch whose first heartbeat came back (and cleared what was kept before it). */
  private confirmedEpoch = -1;
  /** When the newest heartbeat that came back was sent. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private changes = 0;
  private timer: NodeJS.Timeout | undefined;
  private listener: MembershipListener | undefined;

  constructor(private readonly options: MembershipWatchOptions) {
    this.changesChannel = membershipChangesChannel(options.prefix);
    this.heartbeatChannel = membershipHeartbeatChannel(options.prefix, this.processId);
    this.clock = options.clock ?? (() => performance.now());
    this.leaseMs = options.leaseMs ?? MEMBERSHIP_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? MEMBERSHIP_HEARTBEAT_MS;
  }

  /**
   * Counts changes and lost connections: a lookup that reads it before it starts and finds it
   * unchanged when it ends overlapped none, and may keep its answer.
   */
  get version(): number {
    return this.changes;
  }

  /** Whether kept answers may be used without reading the generation marker. */
  trusted(): boolean {
    return this.clock() - this.confirmedAt < this.leaseMs;
  }

  async start(listener: MembershipListener): Promise<void> {
    this.listener = listener;
    const { subscriber } = this.options;
    subscriber.on('message', this.receive);
    subscriber.on('close', this.lost);
    await subscriber.subscribe(this.changesChannel, this.heartbeatChannel);
    this.timer = setInterval(this.beat, this.heartbeatMs);
    this.timer.unref();
    this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const { subscriber } = this.options;
    subscriber.off('message', this.receive);
    subscriber.off('close', this.lost);
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    await subscriber.unsubscribe(this.changesChannel, this.heartbeatChannel).catch(() => undefined);
  }

  private readonly beat = (): void => {
    const message = `${this.epoch}:${this.clock()}`;
    // A heartbeat that is lost only lets the trust lapse, which is safe.
    this.options.publisher.publish(this.heartbeatChannel, message).catch(() => undefined);
  };

  private readonly receive = (channel: string, message: string): void => {
    if (channel === this.changesChannel) {
      this.changes += 1;
      this.listener?.tenantChanged(message);
      return;
    }
    if (channel !== this.heartbeatChannel) return;
    const [epoch, sentAt] = message.split(':').map(Number);
    if (epoch !== this.epoch || !Number.isFinite(sentAt)) return;
    if (this.confirmedEpoch !== epoch) {
      // The subscription is current from here on; what was looked up before may not be.
      this.confirmedEpoch = epoch;
      this.forgetAll();
    }
    this.confirmedAt = Math.max(this.confirmedAt, sentAt!);
  };

  private readonly lost = (): void => {
    const wasTrusted = this.confirmedAt !== Number.NEGATIVE_INFINITY;
    this.epoch += 1;
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    this.forgetAll();
    // Once per outage, not once per reconnection attempt.
    if (wasTrusted) this.options.logger.warn('membership announcements lost; reading role markers');
  };

  private forgetAll(): void {
    this.changes += 1;
    this.listener?.allChanged();
  }
}
