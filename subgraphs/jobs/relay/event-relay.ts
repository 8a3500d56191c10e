import { Client } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { eventChannel, type PublishedEvent } from '../../../platform/events';
import type { RedisClient } from '../../../platform/redis';
import { createRelayMetrics } from './relay-metrics';
import { RelayRepository } from '../repositories/relay.repository';
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

/** Publishing or fan-out failed: the database session is fine, so the lock is kept. */
class PublishError extends Error {}

interface Session {
  client: Client;
  repository: RelayRepository;
  /** Set when the connection broke: the lock went with it. */
  lost: Error | null;
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
  const metrics = createRelayMetrics(options.registry);
  const fanOut = options.fanOut ?? noWebhookFanOut;
  const wakeup = createWakeup();
  let stopping = false;
  let stopped!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stopped = resolve));
  let active = false;
  let session: Session | null = null;
  /** The connection attempt under way, so readiness answers once it is decided. */
  let connecting: Promise<unknown> | null = null;
  let announcedStandby = false;
  /** Failed rounds in a row: an outage is logged when it starts and ends, not every retry. */
  let failures = 0;

  const setActive = (value: boolean) => {
    active = value;
    metrics.active.set(value ? 1 : 0);
    if (!value) metrics.lag.set(0);
  };
  setActive(false);
  const pause = (ms: number) =>
    Promise.race([stopSignal, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

  async function openSession(): Promise<Session> {
    const client = new Client({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: options.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      application_name: 'tessera-event-relay',
      keepAlive: true,
    });
    const opened: Session = { client, repository: new RelayRepository(client), lost: null };
    // Without these listeners a dropped connection would crash the process.
    const lose = (error: Error) => {
      opened.lost ??= error;
      if (session === opened) wakeup.notify();
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('the relay connection ended')));
    client.on('notification', () => wakeup.notify());
    try {
      await client.connect();
      await opened.repository.configureSession();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return opened;
  }

  async function closeSession(): Promise<void> {
    const closing = session;
    session = null;
    await closing?.client.end().catch(() => undefined);
  }

  async function publish(batch: readonly PublishedEvent[]): Promise<void> {
    // One pipeline on one connection: Redis runs the PUBLISHes in this order, so each
    // channel receives its events in seq order.
    const pipeline = options.redis.pipeline();
    for (const event of batch) {
      pipeline.publish(eventChannel(options.redisPrefix, event.tenantId), JSON.stringify(event));
    }
    const results = await pipeline.exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (!results || failure) throw failure ?? new Error('the Redis pipeline was discarded');
  }

  async function drain(current: Session): Promise<void> {
    for (;;) {
      const lag = await current.repository.lagSeconds();
      metrics.lag.set(lag ?? 0);
      if (lag === null) return;
      const batch = await current.repository.unpublished(options.batchSize);
      if (batch.length === 0) return;
      try {
        await publish(batch);
        await fanOut(batch);
      } catch (error) {
        throw new PublishError('publishing a batch failed', { cause: error });
      }
      await current.repository.markPublished(batch.map((event) => event.id));
      metrics.published.inc(batch.length);
      // Finishing the batch in hand on shutdown saves the next holder from repeating it.
      if (stopping) return;
    }
  }

  async function lead(current: Session): Promise<void> {
    setActive(true);
    announcedStandby = false;
    logger.info('event relay active: this process publishes the event journal');
    await current.repository.listen();
    while (!stopping) {
      try {
        await drain(current);
      } catch (error) {
        if (!(error instanceof PublishError) || current.lost) throw error;
        // Redis (or fan-out) is down, not the database: keep the lock and try again.
        logger.warn({ err: error.cause }, 'event relay could not publish; retrying');
        await pause(options.lockRetryMs);
        continue;
      }
      if (stopping) break;
      await wakeup.wait(options.pollMs);
      if (current.lost) throw current.lost;
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const opening = openSession();
        connecting = opening.catch(() => undefined);
        session = await opening;
        const current = session;
        if (failures > 0) logger.info({ failures }, 'event relay reconnected to the database');
        failures = 0;
        const tryLock = () => {
          metrics.lockAttempts.inc();
          return current.repository.tryLock();
        };
        while (!stopping && !(await tryLock())) {
          if (!announcedStandby)
            logger.info('event relay standing by: another process holds the lock');
          announcedStandby = true;
          await pause(options.lockRetryMs);
        }
        if (!stopping) await lead(current);
      } catch (error) {
        if (!stopping && (active || failures === 0)) {
          logger.warn(
            { err: error },
            active
              ? 'event relay lost its database session; the lock is free for another process'
              : 'event relay cannot reach the database; retrying',
          );
        }
        failures += 1;
      } finally {
        connecting = null;
        if (active) logger.info('event relay released the lock');
        setActive(false);
        await closeSession();
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

/** Wakes the holder early: a NOTIFY, a lost connection, or shutdown. */
function createWakeup() {
  let pending = false;
  let resolveWait: (() => void) | null = null;
  return {
    notify(): void {
      pending = true;
      resolveWait?.();
    },
    /** Resolves after `ms`, or at once if woken since the last wait. */
    wait(ms: number): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolveWait = null;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        timer.unref();
        resolveWait = done;
      });
    },
  };
}
