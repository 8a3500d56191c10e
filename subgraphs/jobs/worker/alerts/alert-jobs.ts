import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { alertRecipientPolicy } from '../../../../platform/contracts/observability/alert-recipients';
import { outboundPolicyFromConfig } from '../../../../platform/config/outbound';
import { KeyRing } from '../../../../platform/crypto/key-ring';
import type { InternalClient } from '../../../../platform/internal-calls/client';
import { createMailer } from '../../../../platform/mail/create-mailer';
import { JobName, QueueName } from '../../../../platform/contracts/jobs/queue-names';
import type { WorkerConfig } from '../config';
import { dispatchAlert } from './alert-dispatch.processor';
import { evaluateAlerts } from './alert-evaluation.processor';
import { secretChannelSender } from './secret-channel-sender';
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
 * its channel (log, email through the mailer to whom the tenant may mail, webhook, Slack and
 * PagerDuty through the SSRF-safe client).
 */
export function setupAlertJobs(options: {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  /** The worker's app-role pool: the mail outbox, webhook deliveries, dead letters. */
  dataSource: DataSource;
  queues: readonly Queue[];
  /** Asks observability to evaluate the rules, and auth and tenancy who may be mailed. */
  internal: InternalClient;
}): AlertJobs {
  const { config, logger, registry, dataSource, queues } = options;
  const mailer = createMailer(config, dataSource);
  const notifications = new Counter({
    name: 'tessera_alert_notifications_total',
    help: 'Alert notifications dispatched by the worker, by channel and outcome (sent, retry, dead).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const alertLogger = logger.child({ component: 'alerts' });
  const deps = {
    logger: alertLogger,
    mailer,
    recipients: alertRecipientPolicy({
      allowed: config.ALERT_EMAIL_ALLOWED_RECIPIENTS,
      internal: options.internal,
      logger: alertLogger,
    }),
    webhooks: webhookAlertSender({
      dataSource,
      queue: queues.find((queue) => queue.name === QueueName.WEBHOOK_DELIVERY)!,
    }),
    secretChannels: secretChannelSender({
      dataSource,
      keyRing: KeyRing.fromConfig(config.ENCRYPTION_KEYS),
      policy: outboundPolicyFromConfig(config),
      pagerDutyEventsUrl: config.PAGERDUTY_EVENTS_URL,
    }),
    dataSource,
    notifications,
  };
  return {
    processors: {
      // A round must end before the next one is due.
      [JobName.EVALUATE_ALERTS]: () =>
        evaluateAlerts(
          options.internal,
          Math.max(1_000, config.ALERT_EVALUATION_INTERVAL_SECONDS * 1000),
        ),
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
    },
  };
}
