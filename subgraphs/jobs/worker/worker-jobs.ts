import { Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { InternalClient } from '../../../platform/internal-calls/client';
import { inJobSpan } from '../../../platform/observability/job-span';
import { correlatedJobData, correlationOf } from '../../../platform/contracts/jobs/job-correlation';
import { FINISHED_JOB_BOUNDS } from '../../../platform/contracts/jobs/job-retention';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import {
  REENCRYPT_SECRETS_JOB_OPTIONS,
  REENCRYPT_SECRETS_SCHEDULE,
  REENCRYPT_SECRETS_SCHEDULER_ID,
} from '../../../platform/contracts/jobs/reencrypt-secrets-job';
import { createRedis, type RedisClient } from '../../../platform/redis/connection';
import { PurgeTarget } from '../../../platform/contracts/jobs/purge-targets';
import { setupAlertJobs, type AlertJobs } from './alerts/alert-jobs';
import { setupBackupJobs, type BackupJobs } from './backup/backup-jobs';
import type { WorkerConfig } from './config';
import { JobsInHand } from './graceful-close';
import { PublicJobError, tenantFacingError } from './job-failure';
import { journalPartitionsGauge } from './journal-maintenance';
import { setupMailJobs, type MailJobs } from './mail/mail-jobs';
import { purgeTenant } from './purge-tenant.processor';
import { reencryptSecrets } from './reencrypt-secrets.processor';
import { runRetentionPurge, type RetentionPurgeOptions } from './retention-purge.processor';
import { scheduleRetentionPurges } from './retention-schedules';

type Processor = (job: Job) => Promise<unknown>;

export interface JobMetrics {
  processed: Counter<'queue' | 'outcome'>;
  duration: Histogram<'queue'>;
}

export function createJobMetrics(registry: Registry): JobMetrics {
  return {
    processed: new Counter({
      name: 'tessera_jobs_processed_total',
      help: 'Jobs finished by this worker, by queue and outcome (completed or failed).',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'tessera_job_duration_seconds',
      help: 'Time a job spent running.',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
  };
}

export interface WorkerJobs {
  processors: Record<string, Processor>;
  alerts: AlertJobs;
  backups: BackupJobs;
  mail: MailJobs;
}

/** Every job the worker runs, by name: purges, re-encryption, alerts, backups and mail. */
export async function setupWorkerJobs(options: {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  dataSource: DataSource;
  queues: Queue[];
  internal: InternalClient;
}): Promise<WorkerJobs> {
  const { config, logger, registry, dataSource, queues, internal } = options;
  const retentionOptions: RetentionPurgeOptions = {
    dataSource,
    queues,
    internal,
    jobRetentionHours: config.JOB_RETENTION_HOURS,
    logger,
    journal: {
      monthsAhead: config.JOURNAL_PARTITIONS_AHEAD,
      partitions: journalPartitionsGauge(registry),
    },
  };
  const alerts = setupAlertJobs({ config, logger, registry, dataSource, queues, internal });
  const backups = await setupBackupJobs({
    config,
    logger,
    registry,
    production: config.NODE_ENV === 'production',
  });
  const mailQueue = queues.find((queue) => queue.name === QueueName.MAIL)!;
  const mail = setupMailJobs({ config, logger, registry, dataSource, queue: mailQueue });
  const processors: Record<string, Processor> = {
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
  return { processors, alerts, backups, mail };
}

const WORKED_QUEUES = [
  QueueName.MAINTENANCE,
  QueueName.TENANT_PURGE,
  QueueName.RETENTION,
  QueueName.ALERTS,
  QueueName.MAIL,
];

export interface JobWorkers {
  workers: Worker[];
  inHand: JobsInHand;
  /** BullMQ does not close connections it is handed, so they are closed on shutdown. */
  connections: RedisClient[];
}

/** One worker per queue, so a long tenant purge never holds up maintenance. */
export function startJobWorkers(
  config: WorkerConfig,
  logger: Logger,
  prefix: string,
  processors: Record<string, Processor>,
  metrics: JobMetrics,
): JobWorkers {
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
      metrics.duration.observe(
        { queue: job.queueName },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  };
  const connections: RedisClient[] = [];
  const workers = WORKED_QUEUES.map((queueName) => {
    const connection = createRedis(config, logger, { name: `worker:${queueName}`, blocking: true });
    connections.push(connection);
    const worker = new Worker(queueName, runJob, {
      connection,
      prefix,
      concurrency: config.WORKER_CONCURRENCY,
      ...FINISHED_JOB_BOUNDS,
    });
    logOutcomes(worker, queueName, logger, metrics);
    return worker;
  });
  return { workers, inHand, connections };
}

function logOutcomes(worker: Worker, queueName: string, logger: Logger, metrics: JobMetrics): void {
  worker.on('completed', (job, result) => {
    metrics.processed.inc({ queue: job.queueName, outcome: 'completed' });
    logger.info({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed');
  });
  worker.on('failed', (job, error) => {
    metrics.processed.inc({ queue: job?.queueName ?? 'unknown', outcome: 'failed' });
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
}

/** Puts every job scheduler in place (idempotent: every worker calls it at start). */
export async function scheduleJobs(
  config: WorkerConfig,
  queues: Queue[],
  { alerts, backups, mail }: WorkerJobs,
): Promise<void> {
  const queue = (name: QueueName) => queues.find((candidate) => candidate.name === name)!;
  const maintenance = queue(QueueName.MAINTENANCE);
  await maintenance.upsertJobScheduler(
    JobName.PURGE_FINISHED_JOBS,
    { every: config.PURGE_INTERVAL_SECONDS * 1000 },
    {
      name: JobName.PURGE_FINISHED_JOBS,
      data: correlatedJobData({}, { tenantId: null, requestId: null }),
    },
  );
  await scheduleRetentionPurges(queue(QueueName.RETENTION), config.PURGE_INTERVAL_SECONDS * 1000);
  await alerts.schedule(queue(QueueName.ALERTS));
  await backups.schedule(maintenance);
  await mail.schedule(queue(QueueName.MAIL));

  // Daily: secrets still under an older key after a rotation are rewritten without anyone asking.
  await maintenance.upsertJobScheduler(REENCRYPT_SECRETS_SCHEDULER_ID, REENCRYPT_SECRETS_SCHEDULE, {
    name: JobName.REENCRYPT_SECRETS,
    data: { requestId: null, tenantId: null, requestedBy: null },
    opts: REENCRYPT_SECRETS_JOB_OPTIONS,
  });
}
