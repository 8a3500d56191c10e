import type { EntityManager } from 'typeorm';
import { appendEvent } from '../../../../platform/events/append-event';
import { EventType } from '../../../../platform/events/event-types';
import type { AlertRuleEntity } from '../../entities/alert-rule.entity';
import type { Sample } from '../../probes/metrics-scraper';
import { parseMetricSelector, type MetricSelector } from '../alert-metrics';
import { MAX_RULES_PER_TENANT } from '../rules/alert-rule.service';
import { AlertNotificationRepository } from '../repositories/alert-notification.repository';
import { AlertOwnerLockRepository } from '../repositories/alert-owner-lock.repository';
import { AlertRuleRepository } from '../repositories/alert-rule.repository';
import { AlertStateRepository, type AlertRuleState } from '../repositories/alert-state.repository';
import { AlertRepository, type AlertRecord } from '../repositories/alert.repository';
import { JournalMeasureRepository } from '../repositories/journal-measure.repository';
import { alertMessage, holds, measure, read, readJournal, step, type Reading } from './alert-state';

export const SYSTEM_ACTOR = { kind: 'system', id: null } as const;
const NO_DATA: Reading = { value: null, sample: null };

export interface OwnerRoundCounts {
  rules: number;
  fired: number;
  resolved: number;
}

/**
 * One owner's part of a round, in that owner's transaction: moves each rule along (pending →
 * firing → resolved) and writes the alerts, their events and their notifications together.
 * Null when another evaluation holds this owner.
 */
export async function evaluateOwner(
  manager: EntityManager,
  tenantId: string | null,
  samples: readonly Sample[],
  now: Date,
): Promise<OwnerRoundCounts | null> {
  if (!(await new AlertOwnerLockRepository(manager).tryLockEvaluation(tenantId))) return null;
  const rules = await new AlertRuleRepository(manager).listForTenant(
    tenantId,
    MAX_RULES_PER_TENANT,
  );
  const round = new OwnerRound(manager, tenantId, samples, now);
  await round.load();
  const counts: OwnerRoundCounts = { rules: rules.length, fired: 0, resolved: 0 };
  for (const rule of rules) {
    const transition = await round.evaluate(rule);
    if (transition === 'fired') counts.fired += 1;
    if (transition === 'resolved') counts.resolved += 1;
  }
  return counts;
}

class OwnerRound {
  private readonly states: AlertStateRepository;
  private readonly alerts: AlertRepository;
  private readonly notifications: AlertNotificationRepository;
  private readonly journal: JournalMeasureRepository;
  private previousStates = new Map<string, AlertRuleState>();
  private open = new Map<string, AlertRecord>();
  /** The journal's position, read once a round and only when a rule watches the journal. */
  private position: number | undefined;

  constructor(
    private readonly manager: EntityManager,
    private readonly tenantId: string | null,
    private readonly samples: readonly Sample[],
    private readonly now: Date,
  ) {
    this.states = new AlertStateRepository(manager);
    this.alerts = new AlertRepository(manager);
    this.notifications = new AlertNotificationRepository(manager);
    this.journal = new JournalMeasureRepository(manager);
  }

  async load(): Promise<void> {
    [this.previousStates, this.open] = await Promise.all([
      this.states.byRule(this.tenantId),
      this.alerts.openByRule(this.tenantId),
    ]);
  }

  async evaluate(rule: AlertRuleEntity): Promise<'fired' | 'resolved' | null> {
    const selector = selectorOf(rule);
    const previous = this.previousStates.get(rule.id);
    const reading = await this.read(selector, previous);
    const openAlert = this.open.get(rule.id);
    const next = step({
      enabled: rule.enabled,
      condition:
        reading.value === null ? null : holds(reading.value, rule.comparator, rule.threshold),
      open: openAlert !== undefined,
      pendingSince: previous?.pendingSince ?? null,
      forSeconds: rule.forSeconds,
      now: this.now,
    });
    let transition: 'fired' | 'resolved' | null = null;
    if (next.transition === 'fire') {
      await this.fire(rule, selector!, reading.value);
      transition = 'fired';
    } else if (next.transition === 'resolve' && openAlert) {
      if (await this.resolve(rule, openAlert, reading.value)) transition = 'resolved';
    }
    await this.states.save(this.tenantId, {
      ruleId: rule.id,
      pendingSince: next.pendingSince,
      lastValue: reading.value,
      // A round without data keeps the last total, so the next rate spans the gap.
      lastSample: reading.sample ?? previous?.lastSample ?? null,
      lastSampleAt:
        reading.sample !== null
          ? this.now
          : previous?.lastSample != null
            ? previous.lastSampleAt
            : null,
      evaluatedAt: this.now,
    });
    return transition;
  }

  private async read(
    selector: MetricSelector | null,
    previous: AlertRuleState | undefined,
  ): Promise<Reading> {
    if (!selector) return NO_DATA;
    if (selector.metric.source !== 'journal') {
      return read(selector, measure(selector, this.samples), previous, this.now);
    }
    this.position ??= await this.journal.position();
    return readJournal(selector, this.position, previous, this.now, (type, after, upTo) =>
      this.journal.countOfType(type, after, upTo),
    );
  }

  private async fire(
    rule: AlertRuleEntity,
    selector: MetricSelector,
    value: number | null,
  ): Promise<void> {
    const message = alertMessage({ ...rule, kind: selector.metric.kind, value });
    const alert = await this.alerts.insert({
      tenantId: this.tenantId,
      ruleId: rule.id,
      severity: rule.severity,
      message,
      value,
      firedAt: this.now,
    });
    const event = await appendEvent(this.manager, {
      type: EventType.ALERT_FIRED,
      tenantId: this.tenantId,
      actor: SYSTEM_ACTOR,
      payload: { ...eventPayload(rule), alertId: alert.id, value, message },
    });
    await this.notifications.add(
      this.tenantId,
      { id: alert.id, transition: 'fired', eventId: event.id },
      rule.channels,
    );
  }

  /** False when the alert was already resolved (nothing written). */
  private async resolve(
    rule: AlertRuleEntity,
    openAlert: AlertRecord,
    value: number | null,
  ): Promise<boolean> {
    const resolved = await this.alerts.resolve(openAlert.id, this.now);
    if (!resolved) return false;
    const event = await appendEvent(this.manager, {
      type: EventType.ALERT_RESOLVED,
      tenantId: this.tenantId,
      actor: SYSTEM_ACTOR,
      payload: {
        ...eventPayload(rule),
        alertId: resolved.id,
        value,
        reason: rule.enabled ? 'cleared' : 'rule_disabled',
      },
    });
    await this.notifications.add(
      this.tenantId,
      { id: resolved.id, transition: 'resolved', eventId: event.id },
      rule.channels,
    );
    return true;
  }
}

/**
 * A stored rule whose metric its owner may no longer watch (a tenant rule on a platform-wide
 * metric, written before tenant rules were confined) reads as no data rather than failing.
 */
function selectorOf(rule: AlertRuleEntity): MetricSelector | null {
  try {
    return parseMetricSelector(rule.metric, rule.tenantId === null ? 'platform' : 'tenant');
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
