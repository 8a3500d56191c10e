import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { outboundPolicyFromConfig } from '../../../../platform/config/outbound';
import { KeyRing } from '../../../../platform/crypto/key-ring';
import type { ReadinessCheck } from '../../../../platform/http/readiness';
import { inJobSpan } from '../../../../platform/observability/job-span';
import { annotateActiveSpan } from '../../../../platform/observability/tracing';
import { SlidingWindowLimiter } from '../../../../platform/rate-limit/sliding-window';
import {
  closeRedis,
  createRedis,
  queuePrefix,
  type RedisClient,
  type RedisConfig,
} from '../../../../platform/redis/connection';
import type { WebhookFanOut } from '../../relay/relay-fan-out-hook';
import { WEBHOOK_DELIVERY_QUEUE } from '../../webhooks/delivery-job';
import { tenantFacingError } from '../job-failure';
import type { WebhookWorkerConfig } from '../../webhooks/webhook-config';
import { MAX_READ_RESPONSE_BYTES } from '../../webhooks/webhook-request';
import {
  processWebhookDelivery,
  type DeliveryProcessorOptions,
  type DeliveryResult,
} from './webhook-delivery.processor';
import { createDeliveryLoader } from './delivery-loader';
import { createEndpointSlots } from './endpoint-admission';
import { createSecretCache } from './secret-cache';
import { createSuccessRecorder } from './success-recorder';
import { createSuspensionFollower } from './tenant-suspension';
import { createWebhookFanOut } from './webhook-fan-out';
import { createWebhookMetrics } from './webhook-metrics';

export interface WebhookDelivery {
  /** The relay's hook: enqueues each event's deliveries. */
  fanOut: WebhookFanOut;
  readiness: ReadinessCheck;
  /** Stops taking deliveries and waits for those in flight (see {@link stopWebhookDelivery}). */
  drain(): Promise<void>;
  /** Closes the queue and the connections, after drain. */
  close(): Promise<void>;
}

/**
 * The worker process's webhook side: the `webhook-delivery` queue (fed by the relay's
 * fan-out, and by the API's tests, retries and replays), its BullMQ worker, the Redis
 * limiter that holds each endpoint's `rateLimitPerSecond` across every worker process, and the
 * bulkhead that holds each endpoint to WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight.
 */
export function startWebhookDelivery(options: {
  config: WebhookWorkerConfig & RedisConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
  onAttempt?: (tenantId: string) => void;
}): WebhookDelivery {
  const { config, dataSource } = options;
  const logger = options.logger.child({ component: 'webhook-delivery' });
  const prefix = queuePrefix(config.REDIS_PREFIX);
  const metrics = createWebhookMetrics(options.registry);
  // Adding jobs (fan-out) and the limiter's scripts fail fast; the worker's connection waits
  // out a Redis restart, as BullMQ workers must.
  const client = createRedis(config, logger, { name: 'worker:webhooks' });
  const workerConnection = createRedis(config, logger, {
    name: `worker:${WEBHOOK_DELIVERY_QUEUE}`,
    blocking: true,
  });
  const queue = new Queue(WEBHOOK_DELIVERY_QUEUE, { connection: client, prefix });
  queue.on('error', (error) => logger.warn({ err: error }, 'webhook delivery queue error'));

  const limiter = endpointLimiters(client, config.REDIS_PREFIX);
  const processorOptions: DeliveryProcessorOptions = {
    dataSource,
    // Every delivery in flight can join one load.
    loads: createDeliveryLoader({
      dataSource,
      maxBatch: config.WEBHOOK_CONCURRENCY,
      maxInFlight: LOAD_TRANSACTIONS,
      lingerMs: config.WEBHOOK_BATCH_LINGER_MS,
    }),
    secrets: createSecretCache(KeyRing.fromConfig(config.ENCRYPTION_KEYS)),
    successes: createSuccessRecorder({
      dataSource,
      // Every delivery in flight can join one batch.
      maxBatch: config.WEBHOOK_CONCURRENCY,
      maxInFlight: RECORDING_TRANSACTIONS,
      lingerMs: config.WEBHOOK_BATCH_LINGER_MS,
    }),
    policy: {
      ...outboundPolicyFromConfig(config),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxResponseBytes: MAX_READ_RESPONSE_BYTES,
    },
    schedule: config.WEBHOOK_RETRY_SCHEDULE,
    retryAfterMaxMs: config.WEBHOOK_RETRY_AFTER_MAX_SECONDS * 1_000,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000,
    limiter,
    metrics,
    // Opt-in: a single busy endpoint's burst is deferred round after round while it is over
    // the cap, so the cap is for fleets whose endpoints must not hold each other's slots.
    endpointSlots:
      config.WEBHOOK_ENDPOINT_CONCURRENCY > 0
        ? createEndpointSlots(client, config, options.registry, logger)
        : undefined,
    logger,
    onAttempt: options.onAttempt,
  };

  const worker = startDeliveryWorker(config, workerConnection, prefix, processorOptions, logger);

  const followSuspensions = createSuspensionFollower({ dataSource, queue, logger });
  const fanOut = createWebhookFanOut({ dataSource, queue, logger });
  return {
    // Statuses first: a delivery of this batch finds its tenant's suspension recorded.
    fanOut: async (events) => {
      await followSuspensions(events);
      await fanOut(events);
    },
    readiness: { name: 'webhook-delivery', check: () => client.ping() },
    drain: () => worker.close(),
    close: async () => {
      await queue.close();
      await Promise.all(
        [client, workerConnection].map((connection: RedisClient) => closeRedis(connection)),
      );
    },
  };
}

/**
 * One Redis limiter per rate, shared by every endpoint with that `rateLimitPerSecond`: the
 * count is per endpoint (its key), across every worker process.
 */
function endpointLimiters(
  client: RedisClient,
  redisPrefix: string,
): (rate: number) => SlidingWindowLimiter {
  const limiters = new Map<number, SlidingWindowLimiter>();
  return (rate: number) => {
    let found = limiters.get(rate);
    if (!found) {
      found = new SlidingWindowLimiter(client, {
        prefix: redisPrefix,
        name: 'webhook-endpoint',
        limit: rate,
        windowMs: 1_000,
        // Without Redis there is no shared count; waiting beats flooding a receiver.
        failMode: 'closed',
      });
      limiters.set(rate, found);
    }
    return found;
  };
}

/** The BullMQ worker that runs delivery jobs, each as a traced run of the processor. */
function startDeliveryWorker(
  config: WebhookWorkerConfig,
  connection: RedisClient,
  prefix: string,
  processorOptions: DeliveryProcessorOptions,
  logger: Logger,
): Worker {
  const worker = new Worker(
    WEBHOOK_DELIVERY_QUEUE,
    (job, token) => tracedDelivery(job, token, processorOptions),
    {
      connection,
      prefix,
      concurrency: config.WEBHOOK_CONCURRENCY,
      // A worker that dies mid-delivery (kill -9) stops renewing its locks; after this long
      // another worker's stalled check hands its deliveries out again. The receiver may then
      // get one twice, with the same webhook-id.
      lockDuration: config.WEBHOOK_JOB_LOCK_MS,
      stalledInterval: config.WEBHOOK_JOB_LOCK_MS,
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, error) => {
    logger.error(
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: error },
      'webhook delivery job failed',
    );
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'webhook delivery worker error'));
  return worker;
}

/**
 * Success batches written at once: while one waits for its commit the next one gathers and
 * writes. More would only queue on a tenant's journal counter, which each batch locks.
 */
const RECORDING_TRANSACTIONS = 2;

/** Load transactions at once: while one runs, the jobs starting meanwhile gather for the next. */
const LOAD_TRANSACTIONS = 2;

const RESCHEDULED = Symbol('rescheduled');

/**
 * Each run of a delivery job is a `job deliver-webhook` span continuing the trace its data
 * carries (the request behind the delivery), with one `webhook.attempt` child per POST. A
 * run that puts the job back in the delayed set (the next retry, or the endpoint's rate
 * limit) ends its span as rescheduled, not as an error: BullMQ's DelayedError is how a
 * processor says "later", and the attempt span already tells whether the receiver failed.
 */
async function tracedDelivery(
  job: Job,
  token: string | undefined,
  options: DeliveryProcessorOptions,
): Promise<DeliveryResult> {
  const result = await inJobSpan(job, async () => {
    try {
      return await processWebhookDelivery(job, token, options);
    } catch (error) {
      // The tenant reads the failure's text: a database or Redis error is coded (cause logged).
      if (!(error instanceof DelayedError)) throw tenantFacingError(error);
      annotateActiveSpan({ 'tessera.job.rescheduled': true });
      return RESCHEDULED;
    }
  });
  if (result === RESCHEDULED) throw new DelayedError();
  return result;
}
