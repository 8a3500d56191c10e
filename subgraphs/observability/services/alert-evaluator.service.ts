import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { alertDispatchJobOptions, type AlertDispatchJob } from '../../../platform/alerts';
import type { AlertEvaluationAnswer } from '../../../platform/contracts/observability/alert-evaluation';
import { currentContext } from '../../../platform/context';
import { withScopeTransaction } from '../../../platform/db';
import { appendEvent, EventType } from '../../../platform/events';
import { traceCarrier } from '../../../platform/observability/tracing';
import { JobName } from '../../../platform/queues';
import { parseMetricSelector, type MetricSelector } from '../alerts/alert-metrics';
import { scopeLockKey } from '../alerts/alert-scope';
import { alertMessage, holds, measure, read, step } from '../alerts/alert-state';
import type { AlertRuleEntity } from '../entities/alert-rule.entity';
import type { MetricsScraper, Sample } from '../probes/metrics-scraper';
import {
  AlertNotificationRepository,
  type PendingNotification,
} from '../repositories/alert-notification.repository';
import { AlertRuleRepository } from '../repositories/alert-rule.repository';
import { AlertStateRepository } from '../repositories/alert-state.repository';
import { AlertRepository } from '../repositories/alert.repository';
import { tenantsToEvaluate } from '../repositories/alert-tenants.repository';
import { MAX_RULES_PER_TENANT } from './alert-rule.service';

export interface AlertEvaluatorOptions {
  dataSource: DataSource;
  scraper: MetricsScraper;
  /** The `alerts` queue, where each notification becomes a `dispatch-alert` job. */
  queue: Queue;
  dispatchAttempts: number;
  dispatchBackoffMs: number;
  logger: Logger;
}

/** Notifications handed to the queue per tenant and round; the rest go next round. */
const FLUSH_BATCH = 500;
const SYSTEM = { kind: 'system', id: null } as const;

/**
 * One round of alerting, run by the worker's `evaluate-alerts` job through the internal route:
 * read every process's metrics once, then, owner by owner (the platform's rules first, then
 * each tenant's) in that owner's own transaction, move each rule along (pending → firing →
 * resolved), write the alerts, their events and their notifications together, and hand the
 * notifications to the queue after the commit. Platform alerts and their events have no
 * tenant: only platform administrators see them.
 */
export class AlertEvaluator {
  constructor(private readonly options: AlertEvaluatorOptions) {}

  async evaluate(now = new Date()): Promise<AlertEvaluationAnswer> {
    const { dataSource, scraper, logger } = this.options;
    const [scrape, tenants] = await Promise.all([
      scraper.scrapeAll(),
      tenantsToEvaluate(dataSource),
    ]);
    const answer: AlertEvaluationAnswer = {
      tenants: 0,
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
      try {
        const result = await withScopeTransaction(dataSource, tenantId, (manager) =>
          this.evaluateTenant(manager, tenantId, scrape.samples, now),
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

  private async evaluateTenant(
    manager: EntityManager,
    tenantId: string | null,
    samples: readonly Sample[],
    now: Date,
  ): Promise<{ rules: number; fired: number; resolved: number } | null> {
    const [lock] = (await manager.query(
      `SELECT pg_try_advisory_xact_lock(hashtext('tessera:alerts'), hashtext($1)) AS locked`,
      [scopeLockKey(tenantId)],
    )) as { locked: boolean }[];
    if (!lock?.locked) return null;

    const rules = await new AlertRuleRepository(manager).listForTenant(
      tenantId,
      MAX_RULES_PER_TENANT,
    );
    const stateRepository = new AlertStateRepository(manager);
    const alerts = new AlertRepository(manager);
    const notifications = new AlertNotificationRepository(manager);
    const [states, open] = await Promise.all([
      stateRepository.byRule(tenantId),
      alerts.openByRule(tenantId),
    ]);
    const counts = { rules: rules.length, fired: 0, resolved: 0 };

    for (const rule of rules) {
      const selector = selectorOf(rule);
      const previous = states.get(rule.id);
      const reading = selector
        ? read(selector, measure(selector, samples), previous, now)
        : { value: null, sample: null };
      const openAlert = open.get(rule.id);
      const next = step({
        enabled: rule.enabled,
        condition:
          reading.value === null ? null : holds(reading.value, rule.comparator, rule.threshold),
        open: openAlert !== undefined,
        pendingSince: previous?.pendingSince ?? null,
        forSeconds: rule.forSeconds,
        now,
      });

      if (next.transition === 'fire') {
        const message = alertMessage({
          ...rule,
          kind: selector!.metric.kind,
          value: reading.value,
        });
        const alert = await alerts.insert({
          tenantId,
          ruleId: rule.id,
          severity: rule.severity,
          message,
          value: reading.value,
          firedAt: now,
        });
        const event = await appendEvent(manager, {
          type: EventType.ALERT_FIRED,
          tenantId,
          actor: SYSTEM,
          payload: { ...eventPayload(rule), alertId: alert.id, value: reading.value, message },
        });
        await notifications.add(
          tenantId,
          { id: alert.id, transition: 'fired', eventId: event.id },
          rule.channels,
        );
        counts.fired += 1;
      } else if (next.transition === 'resolve' && openAlert) {
        const resolved = await alerts.resolve(openAlert.id, now);
        if (resolved) {
          const event = await appendEvent(manager, {
            type: EventType.ALERT_RESOLVED,
            tenantId,
            actor: SYSTEM,
            payload: {
              ...eventPayload(rule),
              alertId: resolved.id,
              value: reading.value,
              reason: rule.enabled ? 'cleared' : 'rule_disabled',
            },
          });
          await notifications.add(
            tenantId,
            { id: resolved.id, transition: 'resolved', eventId: event.id },
            rule.channels,
          );
          counts.resolved += 1;
        }
      }

      await stateRepository.save(tenantId, {
        ruleId: rule.id,
        pendingSince: next.pendingSince,
        lastValue: reading.value,
        // A round without data keeps the last total, so the next rate spans the gap.
        lastSample: reading.sample ?? previous?.lastSample ?? null,
        lastSampleAt:
          reading.sample !== null
            ? now
            : previous?.lastSample != null
              ? previous.lastSampleAt
              : null,
        evaluatedAt: now,
      });
    }
    return counts;
  }

  /**
   * Hands the tenant's waiting notifications to the queue, then deletes them from the outbox.
   * The job id is the notification's id, so a crash between the two adds nothing twice; a
   * queue that cannot be reached leaves them for the next round.
   */
  private async flush(tenantId: string | null): Promise<number> {
    const { dataSource, queue, logger } = this.options;
    try {
      const pending = await withScopeTransaction(dataSource, tenantId, (manager) =>
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
      await withScopeTransaction(dataSource, tenantId, (manager) =>
        new AlertNotificationRepository(manager).remove(pending.map((item) => item.id)),
      );
      return pending.length;
    } catch (error) {
      logger.error({ err: error, tenantId }, 'alert notifications not queued; next round retries');
      return 0;
    }
  }
}

/** A stored rule whose metric is no longer allowed reads as no data rather than failing. */
function selectorOf(rule: AlertRuleEntity): MetricSelector | null {
  try {
    return parseMetricSelector(rule.metric);
  } catch {
    return null;
  }
}

function eventPayload(rule: AlertRuleEntity) {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    metric: rule.metric,
    comparator: rule.comparator,
    threshold: rule.threshold,
    severity: rule.severity,
  };
}

function dispatchJobData(notification: PendingNotification): AlertDispatchJob {
  return {
    notificationId: notification.id,
    tenantId: notification.tenantId,
    requestId: currentContext()?.requestId ?? null,
    actor: SYSTEM,
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
