import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { mailTransportOf } from '../../../../platform/config/mail';
import { KeyRing } from '../../../../platform/crypto/key-ring';
import { createSmtpMailer } from '../../../../platform/mail/smtp-mailer';
import { JobName } from '../../../../platform/contracts/jobs/queue-names';
import type { WorkerConfig } from '../config';
import { drainMail, sendMail, type MailJobDeps } from './mail-send.processor';
import { mailMetrics } from './mail-metrics';

export interface MailJobs {
  /** The `mail` queue's processors, by job name. */
  processors: Record<string, (job: Job) => Promise<unknown>>;
  /** Puts the `drain-mail` job scheduler in place (idempotent: every worker calls it). */
  schedule(queue: Queue): Promise<void>;
  close(): Promise<void>;
}

/**
 * The durable mail outbox's sender: with MAIL_TRANSPORT=smtp, auth and tenancy write their
 * mails to mail.deliveries and this sends them. With the outbox transport nothing is written
 * there, and nothing is scheduled.
 */
export function setupMailJobs(options: {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  dataSource: DataSource;
  queue: Queue;
}): MailJobs {
  const { config, logger } = options;
  const metrics = mailMetrics(options.registry);
  const smtp = mailTransportOf(config) === 'smtp' && config.SMTP_URL ? config.SMTP_URL : null;
  if (smtp === null) {
    return { processors: {}, schedule: async () => {}, close: async () => {} };
  }
  const mailer = createSmtpMailer({ ...config, SMTP_URL: smtp });
  const deps: MailJobDeps = {
    dataSource: options.dataSource,
    keyRing: KeyRing.fromConfig(config.ENCRYPTION_KEYS),
    mailer,
    metrics,
    logger: logger.child({ component: 'mail' }),
    attempts: config.MAIL_SEND_ATTEMPTS,
    backoffMs: config.MAIL_SEND_BACKOFF_MS,
  };
  return {
    processors: {
      [JobName.DRAIN_MAIL]: () => drainMail(options.queue, deps),
      [JobName.SEND_MAIL]: (job) => sendMail(job, deps),
    },
    async schedule(queue) {
      await queue.upsertJobScheduler(
        JobName.DRAIN_MAIL,
        { every: config.MAIL_DRAIN_INTERVAL_MS },
        {
          name: JobName.DRAIN_MAIL,
          data: { tenantId: null, requestId: null, actor: null },
          // Not retried: the next drain is the retry. Kept briefly, for queueStats.
          opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    },
    close: () => mailer.close(),
  };
}
