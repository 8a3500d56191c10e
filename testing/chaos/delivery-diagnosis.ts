import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../platform/redis/connection';
import type { TestStack } from '../stack';

// What a failed delivery scenario prints: for each event that never reached the receiver, its
// delivery row, last attempt and queue job, beside the queue's counts and the worker's pool,
// slot and event-loop figures, so a red run says where the delivery stopped.

/** Where an event's delivery stands, for a failure message that says why it never arrived. */
export interface DeliveryState {
  eventId: string;
  /** null: no delivery row, so the relay's fan-out never wrote one. */
  status: string | null;
  attempts: number;
  runAttempts: number;
  jobId: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatusCode: number | null;
  /** The BullMQ job's state (`unknown` once removed), or null without a row. */
  jobState: string | null;
  /** The job's runs, stalls and times as BullMQ keeps them. */
  job: Record<string, unknown> | null;
  /** The worker's log lines that name the job or its delivery. */
  logs: string[];
}

/** The delivery queue's job counts, and the diagnostics of each missing delivery. */
export interface DeliveryDiagnosis {
  counts: Record<string, number>;
  /** The jobs BullMQ holds as active, and since when. */
  active: { id: string | undefined; processedOn?: number; attemptsStarted: number }[];
  /** The worker's pool, slot and event-loop figures, or why they could not be read. */
  workerMetrics: string[];
  /** The worker's last log lines. */
  workerLogs: string[];
  /** The first three deliveries that never arrived (the rest are alike, or the message long). */
  missing: DeliveryState[];
}

const WORKER_FIGURES =
  /^tessera_(db_pool|webhook_endpoint_slots|nodejs_eventloop_lag_(max|p99)|webhook_deliveries_total)/;

async function workerFigures(stack: TestStack): Promise<string[]> {
  try {
    const response = await fetch(`${stack.url('worker')}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    return text.split('\n').filter((line) => WORKER_FIGURES.test(line));
  } catch (error) {
    return [`/metrics: ${String(error)}`];
  }
}

/**
 * The delivery rows, last attempts and queue jobs behind `eventIds`, or null when there are
 * none (so `expect(…).toBeNull()` passes exactly when nothing is missing). Standalone Redis.
 */
export async function deliveryStates(
  stack: TestStack,
  eventIds: readonly string[],
): Promise<DeliveryDiagnosis | null> {
  if (eventIds.length === 0) return null;
  const rows = await stack.db.query<
    Omit<DeliveryState, 'jobState' | 'job' | 'logs'> & { deliveryId: string | null }
  >(
    `SELECT e.id AS "eventId", d.id AS "deliveryId", d.status, coalesce(d.attempt_count, 0) AS attempts,
            coalesce(d.run_attempts, 0) AS "runAttempts", d.job_id AS "jobId",
            d.next_attempt_at::text AS "nextAttemptAt", a.error AS "lastError",
            a.status_code AS "lastStatusCode"
       FROM unnest($1::uuid[]) AS e(id)
       LEFT JOIN jobs.webhook_deliveries d ON d.event_id = e.id AND d.origin = 'event'
       LEFT JOIN LATERAL (
         SELECT error, status_code FROM jobs.webhook_attempts
          WHERE delivery_id = d.id ORDER BY attempt DESC LIMIT 1) a ON true`,
    [eventIds],
  );
  const connection = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QueueName.WEBHOOK_DELIVERY, {
    connection,
    prefix: queuePrefix(stack.redisPrefix),
  });
  const named = (words: (string | null)[]) =>
    stack.logs
      .filter(
        (log) => log.service === 'worker' && words.some((word) => word && log.line.includes(word)),
      )
      .map((log) => log.line.slice(0, 400));
  try {
    const missing = await Promise.all(
      rows.map(async ({ deliveryId, ...row }) => {
        const job = row.jobId ? await queue.getJob(row.jobId) : undefined;
        return {
          ...row,
          jobState: row.jobId ? await queue.getJobState(row.jobId) : null,
          job: job
            ? {
                timestamp: job.timestamp,
                processedOn: job.processedOn,
                finishedOn: job.finishedOn,
                delay: job.delay,
                attemptsStarted: job.attemptsStarted,
                attemptsMade: job.attemptsMade,
                stalledCounter: job.stalledCounter,
                failedReason: job.failedReason,
              }
            : null,
          logs: named([row.jobId, deliveryId]),
        };
      }),
    );
    const active = (await queue.getActive(0, 50)).map((job) => ({
      id: job.id,
      processedOn: job.processedOn,
      attemptsStarted: job.attemptsStarted,
    }));
    return {
      counts: await queue.getJobCounts(),
      active,
      workerMetrics: await workerFigures(stack),
      workerLogs: stack.logs
        .filter((log) => log.service === 'worker')
        .slice(-40)
        .map((log) => log.line.slice(0, 400)),
      missing: missing.slice(0, 3),
    };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
