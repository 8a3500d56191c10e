import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DatabaseConfig } from '../../../platform/db/data-source';
import type { ReadinessCheck } from '../../../platform/http/readiness';
import { closeRedis, createRedis, type RedisConfig } from '../../../platform/redis/connection';
import { startEventRelay, type EventRelay } from './event-relay';
import type { relayConfigShape } from './relay-config';
import { noWebhookFanOut, type WebhookFanOut } from './relay-fan-out-hook';

type RelayConfig = DatabaseConfig & RedisConfig & { [K in keyof typeof relayConfigShape]: number };

export interface WorkerRelay {
  relay: EventRelay;
  /** Ready while the relay has its database session, as holder or standby. */
  readiness: ReadinessCheck;
  /** Finishes the batch in hand, releases the lock, closes the relay's connections. */
  stop(): Promise<void>;
}

/** The event relay as the worker process runs it, with a Redis connection of its own. */
export function startWorkerRelay(
  config: RelayConfig,
  logger: Logger,
  registry: Registry,
  /** Enqueues each published batch's webhook deliveries (see worker/webhooks/). */
  fanOut: WebhookFanOut = noWebhookFanOut,
): WorkerRelay {
  const redis = createRedis(config, logger, { name: 'worker:relay' });
  const relay = startEventRelay({
    databaseUrl: config.DATABASE_URL,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    logger: logger.child({ component: 'event-relay' }),
    registry,
    pollMs: config.RELAY_POLL_MS,
    batchSize: config.RELAY_BATCH_SIZE,
    lockRetryMs: config.RELAY_LOCK_RETRY_MS,
    fanOut,
  });
  return {
    relay,
    readiness: { name: 'event-relay', check: () => relay.check() },
    stop: async () => {
      await relay.stop();
      await closeRedis(redis);
    },
  };
}
