import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  alertDispatchJobOptions,
  type AlertDispatchJob,
} from '../../../../platform/contracts/observability/alert-dispatch-job';
import type { AlertEvaluationAnswer } from '../../../../platform/contracts/observability/alert-evaluation';
import { currentContext } from '../../../../platform/context/request-context';
import { scopeOf } from '../../../../platform/db/scope';
import { traceCarrier } from '../../../../platform/observability/tracing';
import { JobName } from '../../../../platform/contracts/jobs/queue-names';
import type {
  LiveTenantStatus,
  TenantStatuses,
} from '../../../../platform/contracts/tenancy/tenant-status-cache';
import type { MetricsScraper } from '../../probes/metrics-scraper';
import {
  AlertNotificationRepository,
  type PendingNotification,
} from '../repositories/alert-notification.repository';
import { AlertStateRepository } from '../repositories/alert-state.repository';
import { tenantsToEvaluate } from '../repositories/alert-tenants.repository';
import { evaluateOwner, SYSTEM_ACTOR } from './owner-round';

export interface AlertEvaluatorOptions {
  dataSource: DataSource;
  scraper: MetricsScraper;
  /** Whose rules run: a suspended (or deleted) tenant's are paused. */
  tenantStatuses: Pick<TenantStatuses, 'statusesOf'>;
  /** The `alerts` queue, where each notification becomes a `dispatch-alert` job. */
  queue: Queue;
  dispatchAttempts: number;
  dispatchBackoffMs: number;
  logger: Logger;
}

/** Notifications handed to the queue per tenant and round; the rest go next round. */
const FLUSH_BATCH = 500;

/**
 * One round of alerting, run by the worker's `evaluate-alerts` job through the internal route:
 * read every process's metrics once (when the platform has rules: tenants' rules never see
 * them), then, owner by owner (the platform's rules first, then each tenant's) in that owner's
 * own transaction, move each rule along (pending → firing → resolved), write the alerts, their
 * events and their notifications together, and hand the notifications to the queue after the
 * commit. Platform alerts and their events have no tenant: only platform administrators see
 * them.
 *
 * A tenant that is suspended (or deleted) is paused, not evaluated: no alert fires or
 * resolves, nothing is sent, waiting notifications stay in the outbox, and its open alerts
 * stay as they are. Its pending windows and counter samples are forgotten, so once it is
 * reinstated each rule starts from a fresh sample and a full `for` window: what happened while
 * it was suspended neither fires nor resolves anything. When tenancy cannot say which tenants
 * are active, no tenant's rules run that round.
 */
export class AlertEvaluator {
  constructor(private readonly options: AlertEvaluatorOptions) {}

  async evaluate(now = new Date()): Promise<AlertEvaluationAnswer> {
    const { dataSource, scraper, logger } = this.options;
    const tenants = await tenantsToEvaluate(dataSource);
    const [scrape, statuses] = await Promise.all([
      tenants.includes(null) ? scraper.scrapeAll() : { samples: [], unscraped: [] },
      this.statusesOf(tenants),
    ]);
    const answer: AlertEvaluationAnswer = {
      tenants: 0,
      paused: 0,
      rules: 0,
      fired: 0,
      resolved: 0,
      enqueued: 0,
      unscraped: scrape.unscraped,
    };
    if (scrape.unscraped.length > 0) {
      logger.warn({ unscraped: scrape.unscraped }, 'alert evaluation without some processes');
    }
    for (const tenantId of tenants) {
      if (tenantId !== null) {
        if (!statuses) continue;
        if (statuses.get(tenantId) !== 'ACTIVE') {
          answer.paused += await this.pause(tenantId);
          continue;
        }
      }
      try {
        const result = await scopeOf(dataSource, tenantId).run((manager) =>
          evaluateOwner(manager, tenantId, scrape.samples, now),
        );
        if (!result) continue; // another evaluation holds this owner
        if (tenantId !== null) answer.tenants += 1;
        answer.rules += result.rules;
        answer.fired += result.fired;
        answer.resolved += result.resolved;
      } catch (error) {
        // One owner's failure (a bad row, a lock timeout) must not hold up the others.
        logger.error({ err: error, tenantId }, 'alert evaluation failed for a tenant');
      }
      answer.enqueued += await this.flush(tenantId);
    }
    return answer;
  }

  /** Each tenant's status; null when tenancy cannot answer (logged). */
  private async statusesOf(
    tenants: readonly (string | null)[],
  ): Promise<Map<string, LiveTenantStatus> | null> {
    const ids = tenants.filter((id): id is string => id !== null);
    if (ids.length === 0) return new Map();
    try {
      return await this.options.tenantStatuses.statusesOf(ids);
    } catch (error) {
      this.options.logger.error({ err: error }, "no tenant's alert rules run: statuses unknown");
      return null;
    }
  }

  /** Forgets a paused tenant's windows and samples (see the class); 1 when done, else 0. */
  private async pause(tenantId: string): Promise<number> {
    try {
      await scopeOf(this.options.dataSource, tenantId).run((manager) =>
        new AlertStateRepository(manager).forgetTenant(tenantId),
      );
      return 1;
    } catch (error) {
      this.options.logger.error({ err: error, tenantId }, 'could not pause alert rules');
      return 0;
    }
  }

  /**
   * Hands the tenant's waiting notifications to the queue, then deletes them from the outbox.
   * The job id is the notification's id, so a crash between the two adds nothing twice; a
   * queue that cannot be reached leaves them for the next round.
   */
  private async flush(tenantId: string | null): Promise<number> {
    const { dataSource, queue, logger } = this.options;
    try {
      const pending = await scopeOf(dataSource, tenantId).run((manager) =>
        new AlertNotificationRepository(manager).pending(tenantId, FLUSH_BATCH),
      );
      if (pending.length === 0) return 0;
      const options = alertDispatchJobOptions(
        this.options.dispatchAttempts,
        this.options.dispatchBackoffMs,
      );
      await queue.addBulk(
        pending.map((notification) => ({
          name: JobName.DISPATCH_ALERT,
          data: dispatchJobData(notification),
          opts: { ...options, jobId: notification.id },
        })),
      );
      await scopeOf(dataSource, tenantId).run((manager) =>
        new AlertNotificationRepository(manager).remove(pending.map((item) => item.id)),
      );
      return pending.length;
    } catch (error) {
      logger.error({ err: error, tenantId }, 'alert notifications not queued; next round retries');
      return 0;
    }
  }
}

function dispatchJobData(notification: PendingNotification): AlertDispatchJob {
  return {
    notificationId: notification.id,
    tenantId: notification.tenantId,
    requestId: currentContext()?.requestId ?? null,
    actor: SYSTEM_ACTOR,
    alertId: notification.alertId,
    ruleId: notification.ruleId,
    ruleName: notification.ruleName,
    severity: notification.severity,
    transition: notification.transition,
    eventId: notification.eventId,
    channel: notification.channel,
    message: notification.message,
    metric: notification.metric,
    value: notification.value,
    firedAt: new Date(notification.firedAt).toISOString(),
    resolvedAt: notification.resolvedAt ? new Date(notification.resolvedAt).toISOString() : null,
    // The evaluation's trace continues in the worker's dispatch (nothing when tracing is off).
    ...traceCarrier(),
  };
}
