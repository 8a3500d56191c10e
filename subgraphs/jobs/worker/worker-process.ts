import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { serviceSigning } from '../../../platform/config/service-keys';
import { connect, createDataSource } from '../../../platform/db/data-source';
import {
  listenOptions,
  startServiceServer,
  type RunningService,
} from '../../../platform/http/service-server';
import { InternalClient } from '../../../platform/internal-calls/client';
import { createLogger } from '../../../platform/observability/logger';
import { createServiceMetrics } from '../../../platform/observability/metrics';
import { startTracing } from '../../../platform/observability/tracing';
import { ALL_QUEUES } from '../../../platform/contracts/jobs/queue-names';
import { closeRedis, createRedis, queuePrefix } from '../../../platform/redis/connection';
import { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { startWorkerRelay } from '../relay/worker-relay';
import { observeQueues } from './queue-metrics';
import type { WorkerConfig } from './config';
import { startDeadLetterWatcher } from './dead-letter-watcher';
import { UsageAggregator } from '../../../platform/usage/usage-aggregator';
import { startUsageReporter } from '../../../platform/usage/usage-reporter';
import { startStorageSampler } from './storage-usage';
import { closeWorkersGracefully } from './graceful-close';
import { startWebhookDelivery } from './webhooks/webhook-delivery.worker';
import { createJobMetrics, scheduleJobs, setupWorkerJobs, startJobWorkers } from './worker-jobs';

export interface RunningWorker extends RunningService {
  logger: ReturnType<typeof createLogger>;
}

/**
 * The background process: BullMQ workers for Tessera's queues, their schedulers, and the
 * same health/metrics/drain frame as every other process. Scales apart from the API.
 */
export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  const logger = createLogger('worker', config.LOG_LEVEL);
  const tracing = await startTracing('worker', config);
  const metrics = createServiceMetrics('worker');
  const { registry } = metrics;
  const jobMetrics = createJobMetrics(registry);
  const dataSource = await openWorkerDatabase(config, logger, registry);
  // Webhook deliveries per tenant and day, reported below (docs/usage.md).
  const usage = new UsageAggregator();
  const webhooks = startWebhookDelivery({
    config,
    dataSource,
    logger,
    registry,
    onAttempt: (tenantId) => usage.webhookDelivery(tenantId),
  });

  // Holds the relay lock (and publishes the journal) or stands by for it; see event-relay.ts.
  // Each published batch's webhook deliveries are enqueued before the batch is marked.
  const eventRelay = startWorkerRelay(config, logger, registry, webhooks.fanOut);
  const internal = workerInternalClient(config, logger);
  const usageReports = startUsageReports(config, usage, dataSource, internal, logger);
  const prefix = queuePrefix(config.REDIS_PREFIX);
  const connection = createRedis(config, logger, { name: 'worker:queues', blocking: true });
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix }));
  observeQueues(registry, queues, logger);
  // Every job that fails for good, in any queue, becomes a dead letter with an event.
  const deadLetters = startDeadLetterWatcher({ queues, config, dataSource, logger, registry });
  void deadLetters
    .sweep()
    .catch((error: unknown) => logger.error({ err: error }, 'dead-letter sweep failed'));
  const jobs = await setupWorkerJobs({ config, logger, registry, dataSource, queues, internal });
  const jobWorkers = startJobWorkers(config, logger, prefix, jobs.processors, jobMetrics);
  await scheduleJobs(config, queues, jobs);

  const running = await startServiceServer({
    name: 'worker',
    ...listenOptions(config),
    logger,
    metrics,
    readiness: [
      { name: 'redis', check: () => connection.ping() },
      { name: 'postgres', check: () => dataSource.query('SELECT 1') },
      eventRelay.readiness,
      webhooks.readiness,
    ],
    routes: {},
    // Finish the jobs in hand and take no new ones; what is left waits in Redis, and what still
    // runs when the grace period is nearly over is handed back to its queue.
    onDrainStart: async () => {
      await Promise.all([
        closeWorkersGracefully(jobWorkers.workers, jobWorkers.inHand, {
          graceMs: Math.max(0, config.SHUTDOWN_GRACE_MS - 1_000),
          logger,
        }),
        eventRelay.stop(),
        webhooks.drain(),
      ]);
    },
    onShutdown: async () => {
      await tracing.shutdown();
      await deadLetters.stop();
      await Promise.all(queues.map((queue) => queue.close()));
      await webhooks.close();
      await usageReports.stop();
      await internal.close();
      await dataSource.destroy();
      await jobs.alerts.close();
      await jobs.mail.close();
      await Promise.all(
        [connection, ...jobWorkers.connections].map((client) => closeRedis(client)),
      );
    },
  });
  return { ...running, logger };
}

/**
 * The worker's role's pool, for jobs that read or write rows (webhook deliveries, dead
 * letters): always inside a tenant transaction, so row-level security holds here too.
 */
function openWorkerDatabase(
  config: WorkerConfig,
  logger: Logger,
  registry: Registry,
): Promise<DataSource> {
  return connect(
    createDataSource(config, {
      applicationName: 'tessera-worker',
      entities: [WebhookEndpointEntity, WebhookDeliveryEntity, WebhookAttemptEntity],
      logger,
      registry,
    }),
  );
}

/** Signs the worker's calls to the subgraphs' internal routes (purges, re-encryption, alerts). */
function workerInternalClient(config: WorkerConfig, logger: Logger): InternalClient {
  return new InternalClient({
    signer: serviceSigning(config, 'worker').signer,
    urls: {
      auth: config.SUBGRAPH_AUTH_URL,
      tenancy: config.SUBGRAPH_TENANCY_URL,
      assets: config.SUBGRAPH_ASSETS_URL,
      jobs: config.SUBGRAPH_JOBS_URL,
      observability: config.SUBGRAPH_OBSERVABILITY_URL,
    },
    logger,
  });
}

/** Samples each tenant's storage and reports usage (webhook deliveries too) to observability. */
function startUsageReports(
  config: WorkerConfig,
  usage: UsageAggregator,
  dataSource: DataSource,
  internal: InternalClient,
  logger: Logger,
): { stop(): Promise<void> } {
  const storageSampler = startStorageSampler({
    dataSource,
    usage,
    sampleMs: config.WORKER_STORAGE_SAMPLE_MS,
    logger,
  });
  const usageReports = startUsageReporter({
    counts: usage,
    internal,
    flushMs: config.WORKER_USAGE_FLUSH_MS,
    logger,
  });
  return {
    async stop() {
      storageSampler.stop();
      await usageReports.stop();
    },
  };
}
