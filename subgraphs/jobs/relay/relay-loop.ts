import { Client } from 'pg';
import { eventChannel, type PublishedEvent } from '../../../platform/events/channel';
import type { RedisClient } from '../../../platform/redis/connection';
import { RelayRepository } from '../repositories/relay.repository';
import type { EventRelayOptions } from './event-relay';
import type { WebhookFanOut } from './relay-fan-out-hook';
import type { RelayMetrics } from './relay-metrics';

/* The relay's database session and the holder's publishing loop (see event-relay.ts). */

/** Publishing or fan-out failed: the database session is fine, so the lock is kept. */
class PublishError extends Error {}

export interface Session {
  client: Client;
  repository: RelayRepository;
  /** Set when the connection broke: the lock went with it. */
  lost: Error | null;
}

/**
 * The holder's loop: LISTEN, then drain the journal whenever woken (a NOTIFY, or `pollMs`
 * passed) until shutdown or the session is lost.
 */
export async function publishWhileHolding(current: Session, loop: RelayLoop): Promise<void> {
  await current.repository.listen();
  while (!loop.stopping()) {
    try {
      await drain(current, loop);
    } catch (error) {
      if (!(error instanceof PublishError) || current.lost) throw error;
      // Redis (or fan-out) is down, not the database: keep the lock and try again.
      loop.options.logger.warn({ err: error.cause }, 'event relay could not publish; retrying');
      await loop.pause(loop.options.lockRetryMs);
      continue;
    }
    if (loop.stopping()) break;
    await loop.wakeup.wait(loop.options.pollMs);
    if (current.lost) throw current.lost;
  }
}

/** What the relay's loops share. */
export interface RelayLoop {
  options: EventRelayOptions;
  metrics: RelayMetrics;
  fanOut: WebhookFanOut;
  wakeup: Wakeup;
  /** Waits `ms`, or less if the relay stops meanwhile. */
  pause: (ms: number) => Promise<void>;
  stopping: () => boolean;
}

/** Tries the lock until this session holds it or the relay stops. */
export async function waitForLock(
  current: Session,
  loop: RelayLoop,
  standby: { announced: boolean },
): Promise<void> {
  const tryLock = () => {
    loop.metrics.lockAttempts.inc();
    return current.repository.tryLock();
  };
  while (!loop.stopping() && !(await tryLock())) {
    if (!standby.announced)
      loop.options.logger.info('event relay standing by: another process holds the lock');
    standby.announced = true;
    await loop.pause(loop.options.lockRetryMs);
  }
}

/** A database session for the relay; a lost connection wakes the holder (see `isCurrent`). */
export async function openSession(
  options: EventRelayOptions,
  wakeup: Wakeup,
  isCurrent: (session: Session) => boolean,
): Promise<Session> {
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
    if (isCurrent(opened)) wakeup.notify();
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

async function publish(
  redis: RedisClient,
  redisPrefix: string,
  batch: readonly PublishedEvent[],
): Promise<void> {
  // One pipeline on one connection: Redis runs the PUBLISHes in this order, so each
  // channel receives its events in seq order.
  const pipeline = redis.pipeline();
  for (const event of batch) {
    pipeline.publish(eventChannel(redisPrefix, event.tenantId), JSON.stringify(event));
  }
  const results = await pipeline.exec();
  const failure = results?.find(([error]) => error)?.[0];
  if (!results || failure) throw failure ?? new Error('the Redis pipeline was discarded');
}

/**
 * Publishes and marks batches until the journal has nothing unpublished (or shutdown). A batch
 * that held everything waiting ends it without another query: anything committed since sent
 * a NOTIFY, which wakes the loop again (see createWakeup).
 */
async function drain(current: Session, loop: RelayLoop): Promise<void> {
  const { options, metrics, fanOut } = loop;
  for (;;) {
    const { events: batch, more } = await current.repository.unpublished(options.batchSize);
    if (batch.length === 0) return;
    try {
      await publish(options.redis, options.redisPrefix, batch);
      await fanOut(batch);
    } catch (error) {
      throw new PublishError('publishing a batch failed', { cause: error });
    }
    await current.repository.markPublished(batch.map((event) => event.id));
    metrics.published.inc(batch.length);
    // Finishing the batch in hand on shutdown saves the next holder from repeating it.
    if (loop.stopping() || !more) return;
  }
}

/** Wakes the holder early: a NOTIFY, a lost connection, or shutdown. */
export function createWakeup() {
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

export type Wakeup = ReturnType<typeof createWakeup>;
