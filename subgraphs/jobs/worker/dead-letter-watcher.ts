import { QueueEvents, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { anonymousContext, runWithContext } from '../../../platform/context/request-context';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { correlationOf } from '../../../platform/contracts/jobs/job-correlation';
import {
  closeRedis,
  createRedis,
  queuePrefix,
  type RedisClient,
  type RedisConfig,
} from '../../../platform/redis/connection';
import { jobKey } from '../admin/job-view';
import { scopeOf } from '../../../platform/db/scope';
import { lockJobDeadLetter, recordDeadLetter } from '../dead-letters/dead-letter-sink';
import { DeadLetterRepository } from '../repositories/dead-letter.repository';

/** Failed jobs the start-up sweep reads per queue (finished jobs are bounded below this). */
const SWEEP_LIMIT = 5_000;

export interface DeadLetterWatcher {
  /** Records every failed job still in the queues that has no dead letter yet. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Nothing fails silently: every job that fails for good, in any queue, becomes a dead letter
 * (jobs.dead_letters) with a `jobs.job.dead_lettered` event in its tenant (or the platform).
 * BullMQ moves a job to `failed` only once its attempts are spent, or once it stalled more
 * often than allowed (a worker died holding it); QueueEvents announces both as `failed`. A
 * sweep at start catches failures announced while no watcher listened. Every worker process
 * watches, so each failure is recorded once, under an advisory lock: a failure is already
 * recorded when its job has an open dead letter, or one at or after its failure time.
 */
export function startDeadLetterWatcher(options: {
  queues: readonly Queue[];
  config: RedisConfig;
  dataSource: DataSource;
  logger: Logger;
  registry: Registry;
}): DeadLetterWatcher {
  const logger = options.logger.child({ component: 'dead-letter-watcher' });
  const { deadLetters, stalled } = deadLetterMetrics(options.registry);

  const record = async (queue: Queue, job: Job): Promise<boolean> => {
    const correlation = correlationOf(job.data);
    const failedAt = new Date(job.finishedOn ?? Date.now());
    const created = await recordOnce(options.dataSource, queue, job, correlation, failedAt);
    if (created) {
      deadLetters.inc({ queue: queue.name });
      logger.warn(
        {
          queue: queue.name,
          job: job.name,
          jobId: job.id,
          tenantId: correlation.tenantId,
          requestId: correlation.requestId,
          reason: job.failedReason,
        },
        'job failed for good: dead letter recorded',
      );
    }
    return created;
  };

  const onFailed = async (queue: Queue, jobId: string): Promise<void> => {
    try {
      const job = await queue.getJob(jobId);
      // Retried or removed since: nothing failed for good any more.
      if (!job || (await job.getState()) !== 'failed') return;
      await record(queue, job);
    } catch (error) {
      // The start-up sweep of the next worker records it; say so loudly meanwhile.
      logger.error({ err: error, queue: queue.name, jobId }, 'could not record a dead letter');
    }
  };

  const connections: RedisClient[] = [];
  const listeners = options.queues.map((queue) => {
    const connection = createRedis(options.config, logger, {
      name: `worker:events:${queue.name}`,
      blocking: true,
    });
    connections.push(connection);
    const events = new QueueEvents(queue.name, {
      connection,
      prefix: queuePrefix(options.config.REDIS_PREFIX),
    });
    events.on('failed', ({ jobId }) => void onFailed(queue, jobId));
    events.on('stalled', ({ jobId }) => {
      stalled.inc({ queue: queue.name });
      logger.warn({ queue: queue.name, jobId }, 'job stalled: handed out again');
    });
    events.on('error', (error) =>
      logger.warn({ err: error, queue: queue.name }, 'queue events error'),
    );
    return events;
  });

  return {
    sweep: () => sweepFailed(options.queues, record, logger),
    stop: async () => {
      await Promise.all(listeners.map((events) => events.close()));
      await Promise.all(connections.map((connection) => closeRedis(connection)));
    },
  };
}

/**
 * Records the job's dead letter and its event in the job's tenant, unless already recorded:
 * under an advisory lock per job, so concurrent watchers record it once.
 */
function recordOnce(
  dataSource: DataSource,
  queue: Queue,
  job: Job,
  correlation: ReturnType<typeof correlationOf>,
  failedAt: Date,
): Promise<boolean> {
  const context = {
    ...anonymousContext(correlation.requestId ?? `job-${job.id}`),
    tenantId: correlation.tenantId,
  };
  return runWithContext(context, () =>
    scopeOf(dataSource, correlation.tenantId).run(async (manager) => {
      await lockJobDeadLetter(manager, queue.name, job.id!);
      const repository = new DeadLetterRepository(manager);
      if (await repository.recorded(queue.name, job.id!, failedAt)) return false;
      const id = await recordDeadLetter(manager, {
        queue: queue.name,
        jobId: job.id!,
        jobName: job.name,
        tenantId: correlation.tenantId,
        reason: job.failedReason || 'failed without a reason',
        data: (job.data ?? {}) as Record<string, unknown>,
        requestId: correlation.requestId,
        attemptsMade: job.attemptsMade,
        failedAt,
      });
      await appendEvent(manager, {
        type: EventType.JOB_DEAD_LETTERED,
        tenantId: correlation.tenantId,
        actor: { kind: 'system', id: null },
        payload: {
          deadLetterId: id,
          queue: queue.name,
          jobId: jobKey(queue.name, job.id!),
          name: job.name,
          reason: (job.failedReason || '').slice(0, 500),
          attemptsMade: job.attemptsMade,
        },
      });
      return true;
    }),
  );
}

function deadLetterMetrics(registry: Registry) {
  return {
    deadLetters: new Counter({
      name: 'tessera_dead_letters_total',
      help: 'Jobs that failed for good and were recorded as dead letters, by queue.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    stalled: new Counter({
      name: 'tessera_jobs_stalled_total',
      help: 'Jobs found stalled (their worker stopped renewing the lock) and handed out again.',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}

/** Records the failures announced while no watcher listened; how many were missing. */
async function sweepFailed(
  queues: readonly Queue[],
  record: (queue: Queue, job: Job) => Promise<boolean>,
  logger: Logger,
): Promise<number> {
  let recorded = 0;
  for (const queue of queues) {
    const failed = await queue.getFailed(0, SWEEP_LIMIT - 1);
    for (const job of failed) {
      if (job?.id && (await record(queue, job).catch(() => false))) recorded += 1;
    }
  }
  if (recorded > 0) logger.warn({ recorded }, 'failed jobs found without dead letters');
  return recorded;
}
