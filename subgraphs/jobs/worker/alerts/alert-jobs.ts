import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { connect, createDataSource } from '../../../../platform/db';
import { createMailer } from '../../../../platform/mail';
import { JobName } from '../../../../platform/queues';
import type { WorkerConfig } from '../config';
import { dispatchAlert } from './alert-dispatch.processor';
import { evaluateAlerts } from './alert-evaluation.processor';
import { webhookAlertSender } from './webhook-alert-sender';

export interface AlertJobs {
  /** The `alerts` queue's processors, by job name. */
  processors: Record<string, (job: Job) => Promise<unknown>>;
  /** Puts the `evaluate-alerts` job scheduler in place (idempotent: every worker calls it). */
  schedule(queue: Queue): Promise<void>;
  close(): Promise<void>;
}

/**
 * Alerting in the worker: the evaluation round on a job scheduler (the observability process
 * does the work, see alert-evaluation.processor.ts) and the dispatch of each notification to
 * its channel (log, email through the mailer, webhook through the SSRF-safe client).
 */
export async function setupAlertJobs(
  config: WorkerConfig,
  logger: Logger,
  registry: Registry,
): Promise<AlertJobs> {
  // The mail outbox and the webhook endpoints, always inside a tenant transaction for the
  // latter; a small pool of its own, counted in no registry (the worker's SQL has its own).
  const dataSource = await connect(
    createDataSource(
      { ...config, DATABASE_POOL_MAX: 2, DATABASE_IDLE_TIMEOUT_MS: 30_000 },
      { applicationName: 'tessera-worker-alerts', entities: [], logger },
    ),
  );
  const mailer = createMailer(config, dataSource);
  const notifications = new Counter({
    name: 'tessera_alert_notifications_total',
    help: 'Alert notifications dispatched by the worker, by channel and outcome (sent, retry, dead).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const deps = {
    logger: logger.child({ component: 'alerts' }),
    mailer,
    webhooks: webhookAlertSender(config, dataSource),
    notifications,
  };
  return {
    processors: {
      [JobName.EVALUATE_ALERTS]: () =>
        evaluateAlerts({
          observabilityUrl: config.SUBGRAPH_OBSERVABILITY_URL,
          signingSecret: config.CONTEXT_SIGNING_SECRETS[0]!,
          // A round must end before the next one is due.
          timeoutMs: Math.max(1_000, config.ALERT_EVALUATION_INTERVAL_SECONDS * 1000),
        }),
      [JobName.DISPATCH_ALERT]: (job) => dispatchAlert(job, deps),
    },
    async schedule(queue) {
      await queue.upsertJobScheduler(
        JobName.EVALUATE_ALERTS,
        { every: config.ALERT_EVALUATION_INTERVAL_SECONDS * 1000 },
        {
          name: JobName.EVALUATE_ALERTS,
          data: { tenantId: null, requestId: null, actor: { kind: 'system', id: null } },
          // Not retried: the next round is the retry. Kept briefly, for queueStats.
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    },
    async close() {
      await mailer.close();
      await dataSource.destroy();
    },
  };
}
