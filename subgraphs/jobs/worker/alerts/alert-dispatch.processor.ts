import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  channelKind,
  parseAlertChannel,
} from '../../../../platform/contracts/observability/alert-channels';
import {
  alertDispatchJobSchema,
  type AlertDispatchJob,
} from '../../../../platform/contracts/observability/alert-dispatch-job';
import { type AlertRecipientPolicy } from '../../../../platform/contracts/observability/alert-recipients';
import { scopeOf } from '../../../../platform/db/scope';
import { DomainError } from '../../../../platform/errors/domain-errors';
import { appendEvent } from '../../../../platform/events/append-event';
import { EventType } from '../../../../platform/events/event-types';
import type { Mailer } from '../../../../platform/mail/mailer';
import { lockJobDeadLetter, recordDeadLetter } from '../../dead-letters/dead-letter-sink';
import { tenantFacingError } from '../job-failure';
import type { SecretChannelSender } from './secret-channel-sender';

/** Sends one tenant alert notification to one of the tenant's webhook endpoints. */
export interface AlertWebhookSender {
  send(notification: AlertDispatchJob, endpointId: string): Promise<void>;
}

/** A failure no retry can mend (no such endpoint, a disabled one): fails the job for good. */
export class PermanentDispatchError extends UnrecoverableError {}

export interface AlertDispatchDeps {
  logger: Logger;
  mailer: Mailer;
  /** Whom a tenant's alert may be mailed to, asked again at each send. */
  recipients: AlertRecipientPolicy;
  webhooks: AlertWebhookSender;
  /** Slack and PagerDuty alert channels. */
  secretChannels: SecretChannelSender;
  /** Where the dead letter of a notification that failed for good is written. */
  dataSource: DataSource;
  /** tessera_alert_notifications_total{channel, outcome}: sent, retry or dead. */
  notifications: Counter<'channel' | 'outcome'>;
}

/**
 * The `dispatch-alert` job: one notification to one channel. A failure throws, so BullMQ
 * retries it with backoff; after the last attempt (or at once for a failure no retry can
 * mend) the notification becomes a dead letter (jobs.dead_letters, with a
 * `jobs.job.dead_lettered` event in the tenant; a platform rule's alert gives a platform dead
 * letter and event, seen only by platform administrators) and the job fails for good, staying
 * in the queue's failed set. Every outcome is counted, and the last failure is logged as an error.
 * A webhook notification succeeds once its delivery is queued: from there the delivery has
 * its own retries and dead letter. A tenant reads a failure coded (MAIL_TRANSPORT_FAILED, not
 * the mail server's answer naming internal hosts); the log keeps the detail.
 */
export async function dispatchAlert(job: Job, deps: AlertDispatchDeps): Promise<{ sent: string }> {
  const parsed = alertDispatchJobSchema.safeParse(job.data);
  if (!parsed.success) throw new PermanentDispatchError('alert notification job data is malformed');
  const notification = parsed.data;
  const kind = channelKind(notification.channel);
  try {
    await send(notification, deps);
    deps.notifications.inc({ channel: kind, outcome: 'sent' });
    return { sent: kind };
  } catch (error) {
    const last =
      error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    deps.notifications.inc({ channel: kind, outcome: last ? 'dead' : 'retry' });
    const context = {
      tenantId: notification.tenantId,
      alertId: notification.alertId,
      notificationId: notification.notificationId,
      channel: kind,
      attemptsMade: job.attemptsMade + 1,
      err: error,
    };
    const shown = notification.tenantId === null ? error : tenantFacingError(error);
    if (!last) {
      deps.logger.warn(context, 'alert notification failed; retrying');
      throw shown;
    }
    deps.logger.error(context, 'alert notification failed for good');
    await deadLetter(job, notification, shown, deps.dataSource);
    throw shown;
  }
}

async function deadLetter(
  job: Job,
  notification: AlertDispatchJob,
  error: unknown,
  dataSource: DataSource,
): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  await scopeOf(dataSource, notification.tenantId).run(async (manager) => {
    // The watcher's lock too, so a failure is recorded once whoever sees it.
    await lockJobDeadLetter(manager, job.queueName, job.id!);
    const id = await recordDeadLetter(manager, {
      queue: job.queueName,
      jobId: job.id!,
      jobName: job.name,
      tenantId: notification.tenantId,
      reason,
      data: job.data as Record<string, unknown>,
    });
    await appendEvent(manager, {
      type: EventType.JOB_DEAD_LETTERED,
      tenantId: notification.tenantId,
      actor: { kind: 'system', id: null },
      payload: {
        deadLetterId: id,
        queue: job.queueName,
        jobId: job.id,
        name: job.name,
        reason: reason.slice(0, 500),
        attemptsMade: job.attemptsMade + 1,
      },
    });
  });
}

async function send(notification: AlertDispatchJob, deps: AlertDispatchDeps): Promise<void> {
  let channel;
  try {
    channel = parseAlertChannel(notification.channel);
  } catch (error) {
    if (error instanceof DomainError) throw new PermanentDispatchError(error.message);
    throw error;
  }
  switch (channel.kind) {
    case 'log':
      deps.logger.warn(
        {
          tenantId: notification.tenantId,
          alertId: notification.alertId,
          ruleId: notification.ruleId,
          severity: notification.severity,
          value: notification.value,
        },
        `alert ${notification.transition}: ${notification.message}`,
      );
      return;
    case 'email':
      // The rule was checked when written; a member removed or unverified since gets nothing.
      if (notification.tenantId !== null) {
        const [refused] = await deps.recipients.refused(notification.tenantId, [channel.address]);
        if (refused) {
          throw new PermanentDispatchError(
            'the recipient is not a verified member of the tenant, nor an address the platform allows',
          );
        }
      }
      await deps.mailer.send({
        to: channel.address,
        subject: alertSubject(notification),
        text: alertText(notification),
        kind: 'observability.alert',
      });
      return;
    case 'webhook':
      await deps.webhooks.send(notification, channel.endpointId);
      return;
    case 'slack':
    case 'pagerduty':
      await deps.secretChannels.send(notification, channel.kind, channel.channelId);
      return;
  }
}

function alertSubject(notification: AlertDispatchJob): string {
  const state = notification.transition === 'fired' ? 'FIRING' : 'RESOLVED';
  return `[${state}] [${notification.severity}] ${notification.ruleName}`.slice(0, 250);
}

function alertText(notification: AlertDispatchJob): string {
  return [
    notification.message,
    '',
    `Rule: ${notification.ruleName} (${notification.ruleId})`,
    `Metric: ${notification.metric}`,
    `Value: ${notification.value ?? 'no data'}`,
    `Fired at: ${notification.firedAt}`,
    ...(notification.resolvedAt ? [`Resolved at: ${notification.resolvedAt}`] : []),
    `Alert: ${notification.alertId}`,
  ].join('\n');
}
