import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RedisClient } from '../../../platform/redis/connection';
import { createRelayMetrics } from './relay-metrics';
import {
  createWakeup,
  openSession,
  publishWhileHolding,
  waitForLock,
  type RelayLoop,
  type Session,
} from './relay-loop';
import { noWebhookFanOut, type WebhookFanOut } from './relay-fan-out-hook';

export interface EventRelayOptions {
  /** The worker's role's URL: the relay reads across tenants only through the relay functions. */
  databaseUrl: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** A connection that only publishes (a subscribed connection cannot). */
  redis: RedisClient;
  redisPrefix: string;
  logger: Logger;
  registry: Registry;
  /** The fallback when no NOTIFY arrives (one was lost, or the writer did not send one). */
  pollMs: number;
  batchSize: number;
  /** How often a standby tries the lock, and the pause after a failure. */
  lockRetryMs: number;
  fanOut?: WebhookFanOut;
}

export interface EventRelay {
  /** Whether this relay holds the lock and publishes. */
  readonly active: boolean;
  /** Resolves while the relay has a live database session (active or standby): readiness. */
  check(): Promise<void>;
  /** Finishes the batch in hand, ends the session (which releases the lock) and stops. */
  stop(): Promise<void>;
}

/**
 * The outbox relay. Every worker process runs one, but only the holder of a session-level
 * advisory lock publishes; the others retry the lock every `lockRetryMs` and take over when
 * the holder's connection ends (process killed, network cut, shutdown).
 *
 * The holder LISTENs for appendEvent's notifications and polls every `pollMs` as a fallback;
 * each round reads the oldest unpublished events, publishes them to their tenant's Redis
 * channel in seq order, hands them to webhook fan-out, then marks them published. Publish
 * before mark means at least once: if the relay dies in between, the next one publishes the
 * batch again, and subscribers drop any seq they already delivered (see PublishedEvent).
 */
export function startEventRelay(options: EventRelayOptions): EventRelay {
  const { logger } = options;
  const metrics = createRelayMetrics(options.registry, () => holderLag(active, session));
  const fanOut = options.fanOut ?? noWebhookFanOut;
  const wakeup = createWakeup();
  let stopping = false;
  let stopped!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stopped = resolve));
  let active = false;
  let session: Session | null = null;
  /** The connection attempt under way, so readiness answers once it is decided. */
  let connecting: Promise<unknown> | null = null;
  /** Whether the relay said it stands by: said once, until it next holds the lock. */
  const standby = { announced: false };
  /** Failed rounds in a row: an outage is logged when it starts and ends, not every retry. */
  let failures = 0;

  const setActive = (value: boolean) => {
    active = value;
    metrics.active.set(value ? 1 : 0);
  };
  setActive(false);
  const pause = (ms: number) =>
    Promise.race([stopSignal, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
  const loop: RelayLoop = { options, metrics, fanOut, wakeup, pause, stopping: () => stopping };

  async function lead(current: Session): Promise<void> {
    setActive(true);
    standby.announced = false;
    logger.info('event relay active: this process publishes the event journal');
    await publishWhileHolding(current, loop);
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const opening = openSession(options, wakeup, (opened) => session === opened);
        connecting = opening.catch(() => undefined);
        session = await opening;
        const current = session;
        if (failures > 0) logger.info({ failures }, 'event relay reconnected to the database');
        failures = 0;
        await waitForLock(current, loop, standby);
        if (!stopping) await lead(current);
      } catch (error) {
        if (!stopping) reportFailure(logger, error, active, failures);
        failures += 1;
      } finally {
        connecting = null;
        if (active) logger.info('event relay released the lock');
        setActive(false);
        const closing = session;
        session = null;
        await closing?.client.end().catch(() => undefined);
      }
      if (!stopping) await pause(options.lockRetryMs);
    }
  }

  const running = run().catch((error: unknown) => {
    logger.error({ err: error }, 'event relay stopped unexpectedly');
  });

  return {
    get active() {
      return active;
    },
    check: async () => {
      await connecting;
      if (!session || session.lost) throw new Error('the event relay has no database session');
    },
    stop: async () => {
      stopping = true;
      stopped();
      wakeup.notify();
      await running;
    },
  };
}

/** Only the holder reports lag (standbys 0), read from its own session when scraped. */
async function holderLag(active: boolean, session: Session | null): Promise<number> {
  if (!active || !session || session.lost) return 0;
  return (await session.repository.lagSeconds()) ?? 0;
}

/** An outage is logged when it starts (and a lost lock always), not at every retry. */
function reportFailure(logger: Logger, error: unknown, active: boolean, failures: number): void {
  if (!active && failures > 0) return;
  logger.warn(
    { err: error },
    active
      ? 'event relay lost its database session; the lock is free for another process'
      : 'event relay cannot reach the database; retrying',
  );
}
