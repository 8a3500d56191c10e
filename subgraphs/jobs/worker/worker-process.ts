import { Queue, Worker, type Job } from 'bullmq';
import { Counter, Histogram } from 'prom-client';
import { serviceSigning } from '../../../platform/config';
import { connect, createDataSource } from '../../../platform/db';
import { startServiceServer, type RunningService } from '../../../platform/http';
import { InternalClient } from '../../../platform/internal-calls';
import { createLogger } from '../../../platform/observability/logger';
import { inJobSpan } from '../../../platform/observability/job-span';
import { createServiceMetrics } from '../../../platform/observability/metrics';
import { startTracing } from '../../../platform/observability/tracing';
import {
  ALL_QUEUES,
  correlatedJobData,
  correlationOf,
  FINISHED_JOB_BOUNDS,
  JobName,
  QueueName,
} from '../../../platform/queues';
import { PurgeTarget } from '../../../platform/retention';
import {
  REENCRYPT_SECRETS_JOB_OPTIONS,
  REENCRYPT_SECRETS_SCHEDULE,
  REENCRYPT_SECRETS_SCHEDULER_ID,
} from '../../../platform/queues/reencrypt-secrets-job';
import { closeRedis, createRedis, queuePrefix } from '../../../platform/redis';
import { WebhookAttemptEntity } from '../entities/webhook-attempt.entity';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { startWorkerRelay } from '../relay/worker-relay';
import { setupAlertJobs } from './alerts/alert-jobs';
import { setupBackupJobs } from './backup/backup-jobs';
import { observeQueues } from './queue-metrics';
import type { WorkerConfig } from './config';
import { startDeadLetterWatcher } from './dead-letter-watcher';
import { UsageAggregator } from '../../../platform/usage/usage-aggregator';
import { startUsageReporter } from '../../../platform/usage/usage-reporter';
import { startStorageSampler } from './storage-usage';
import { closeWorkersGracefully, JobsInHand } from './graceful-close';
import { PublicJobError, tenantFacingError } from './job-failure';
import { purgeTenant } from './purge-tenant.processor';
import { reencryptSecrets } from './reencrypt-secrets.processor';
import { journalPartitionsGauge } from './journal-maintenance';
import { runRetentionPurge, type RetentionPurgeOptions } from './retention-purge.processor';
import { scheduleRetentionPurges } from './retention-schedules';
import { startWebhookDelivery } from './webhooks/webhook-delivery.worker';
import { setupMailJobs } from './mail/mail-jobs';

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
  const jobsProcessed = new Counter({
    name: 'tessera_jobs_processed_total',
    help: 'Jobs finished by this worker, by queue and outcome (completed or failed).',
    labelNames: ['queue', 'outcome'],
    registers: [metrics.registry],
  });
  const jobDuration = new Histogram({
    name: 'tessera_job_duration_seconds',
    help: 'Time a job spent running.',
    labelNames: ['queue'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [metrics.registry],
  });

  // The worker's role's pool, for jobs that read or write rows (webhook deliveries, dead letters):
  // always inside a tenant transaction, so row-level security holds here too.
  const dataSource = await connect(
    createDataSource(config, {
      applicationName: 'tessera-worker',
      entities: [WebhookEndpointEntity, WebhookDeliveryEntity, WebhookAttemptEntity],
      logger,
      registry: metrics.registry,
    }),
  );
  // Webhook deliveries per tenant and day, reported below (docs/usage.md).
  const usage = new UsageAggregator();
  const webhooks = startWebhookDelivery({
    config,
    dataSource,
    logger,
    registry: metrics.registry,
    onAttempt: (tenantId) => usage.webhookDelivery(tenantId),
  });

  // Holds the relay lock (and publishes the journal) or stands by for it; see event-relay.ts.
  // Each published batch's webhook deliveries are enqueued before the batch is marked.
  const eventRelay = startWorkerRelay(config, logger, metrics.registry, webhooks.fanOut);

  // Signs the worker's calls to the subgraphs' internal routes (purges, re-encryption, alerts).
  const internal = new InternalClient({
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
  const prefix = queuePrefix(config.REDIS_PREFIX);
  const connection = createRedis(config, logger, { name: 'worker:queues', blocking: true });
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix }));
  const maintenance = queues.find((queue) => queue.name === QueueName.MAINTENANCE)!;
  observeQueues(metrics.registry, queues, logger);
  const retention = queues.find((queue) => queue.name === QueueName.RETENTION)!;
  const retentionOptions: RetentionPurgeOptions = {
    dataSource,
    queues,
    internal,
    jobRetentionHours: config.JOB_RETENTION_HOURS,
    logger,
    journal: {
      monthsAhead: config.JOURNAL_PARTITIONS_AHEAD,
      partitions: journalPartitionsGauge(metrics.registry),
    },
  };
  // Every job that fails for good, in any queue, becomes a dead letter with an event.
  const deadLetters = startDeadLetterWatcher({
    queues,
    config,
    dataSource,
    logger,
    registry: metrics.registry,
  });
  void deadLetters
    .sweep()
    .catch((error: unknown) => logger.error({ err: error }, 'dead-letter sweep failed'));
  const alerts = setupAlertJobs({
    config,
    logger,
    registry: metrics.registry,
    dataSource,
    queues,
    internal,
  });

  const backups = await setupBackupJobs({
    config,
    logger,
    registry: metrics.registry,
    production: config.NODE_ENV === 'production',
  });
  const mailQueue = queues.find((queue) => queue.name === QueueName.MAIL)!;
  const mail = setupMailJobs({
    config,
    logger,
    registry: metrics.registry,
    dataSource,
    queue: mailQueue,
  });

  const processors: Record<string, (job: Job) => Promise<unknown>> = {
    // Recorded as a run of the finished-jobs retention target, like the other purges.
    [JobName.PURGE_FINISHED_JOBS]: () =>
      runRetentionPurge({ target: PurgeTarget.FINISHED_JOBS }, retentionOptions),
    [JobName.RETENTION_PURGE]: (job) =>
      runRetentionPurge(job.data, retentionOptions, (runId) =>
        job.updateData({ ...job.data, runId }),
      ),
    [JobName.PURGE_TENANT]: (job) => purgeTenant(job.data, { internal, logger }),
    [JobName.REENCRYPT_SECRETS]: () => reencryptSecrets({ internal, logger }),
    ...alerts.processors,
    ...backups.processors,
    ...mail.processors,
  };

  const inHand = new JobsInHand();
  const runJob = async (job: Job, token?: string) => {
    const processor = processors[job.name];
    if (!processor) throw new PublicJobError(`no processor for job ${job.name}`);
    const started = process.hrtime.bigint();
    try {
      return await inHand.track(job, token, () => inJobSpan(job, () => processor(job)));
    } catch (error) {
      // What a tenant reads of its job's failure is coded; the 'failed' log below has it all.
      throw correlationOf(job.data).tenantId === null ? error : tenantFacingError(error);
    } finally {
      jobDuration.observe(
        { queue: job.queueName },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  };

  // One worker per queue, so a long tenant purge never holds up maintenance. BullMQ does not
  // close connections it is handed, so they are closed on shutdown.
  const workerConnections: ReturnType<typeof createRedis>[] = [];
  const workedQueues = [
    QueueName.MAINTENANCE,
    QueueName.TENANT_PURGE,
    QueueName.RETENTION,
    QueueName.ALERTS,
    QueueName.MAIL,
  ];
  const workers = workedQueues.map((queueName) => {
    const workerConnection = createRedis(config, logger, {
      name: `worker:${queueName}`,
      blocking: true,
    });
    workerConnections.push(workerConnection);
    const worker = new Worker(queueName, runJob, {
      connection: workerConnection,
      prefix,
      concurrency: config.WORKER_CONCURRENCY,
      ...FINISHED_JOB_BOUNDS,
    });
    worker.on('completed', (job, result) => {
      jobsProcessed.inc({ queue: job.queueName, outcome: 'completed' });
      logger.info({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed');
    });
    worker.on('failed', (job, error) => {
      jobsProcessed.inc({ queue: job?.queueName ?? 'unknown', outcome: 'failed' });
      logger.error(
        {
          queue: job?.queueName,
          job: job?.name,
          jobId: job?.id,
          attemptsMade: job?.attemptsMade,
          err: error,
        },
        'job failed',
      );
    });
    worker.on('error', (error) => logger.warn({ err: error, queue: queueName }, 'worker error'));
    return worker;
  });

  await maintenance.upsertJobScheduler(
    JobName.PURGE_FINISHED_JOBS,
    { every: config.PURGE_INTERVAL_SECONDS * 1000 },
    {
      name: JobName.PURGE_FINISHED_JOBS,
      data: correlatedJobData({}, { tenantId: null, requestId: null }),
    },
  );
  await scheduleRetentionPurges(retention, config.PURGE_INTERVAL_SECONDS * 1000);
  await alerts.schedule(queues.find((queue) => queue.name === QueueName.ALERTS)!);
  await backups.schedule(maintenance);
  await mail.schedule(mailQueue);

  // Daily: secrets still under an older key after a rotation are rewritten without anyone asking.
  await maintenance.upsertJobScheduler(REENCRYPT_SECRETS_SCHEDULER_ID, REENCRYPT_SECRETS_SCHEDULE, {
    name: JobName.REENCRYPT_SECRETS,
    data: { requestId: null, tenantId: null, requestedBy: null },
    opts: REENCRYPT_SECRETS_JOB_OPTIONS,
  });

  const running = await startServiceServer({
    name: 'worker',
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
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
        closeWorkersGracefully(workers, inHand, {
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
      storageSampler.stop();
      await usageReports.stop();
      await dataSource.destroy();
      await alerts.close();
      await mail.close();
      await Promise.all([connection, ...workerConnections].map((client) => closeRedis(client)));
    },
  });
  return { ...running, logger };
}
