import type { EntityManager } from 'typeorm';
import type { AlertTransition } from '../../../../platform/contracts/observability/alert-dispatch-job';
import type { Severity } from '../../entities/alert-rule.entity';
import { ownedBy } from './owned-by';

/** A notification waiting for the queue, with what its job needs to say. */
export interface PendingNotification {
  id: string;
  /** null: a platform alert's. */
  tenantId: string | null;
  transition: AlertTransition;
  eventId: string;
  channel: string;
  alertId: string;
  ruleId: string;
  ruleName: string;
  metric: string;
  severity: Severity;
  message: string;
  value: number | null;
  firedAt: Date;
  resolvedAt: Date | null;
}

/**
 * The notification outbox (observability.alert_notifications). Runs inside a tenant
 * transaction, or a platform one (tenant null): row-level security limits every query to that
 * owner's notifications.
 */
export class AlertNotificationRepository {
  constructor(private readonly manager: EntityManager) {}

  async add(
    tenantId: string | null,
    alert: { id: string; transition: AlertTransition; eventId: string },
    channels: readonly string[],
  ): Promise<void> {
    if (channels.length === 0) return;
    await this.manager.query(
      `INSERT INTO observability.alert_notifications
         (tenant_id, alert_id, transition, event_id, channel)
       SELECT $1, $2, $3, $4, channel FROM unnest($5::text[]) AS c(channel)`,
      [tenantId, alert.id, alert.transition, alert.eventId, channels],
    );
  }

  /** Oldest first (index: tenant, created_at). */
  pending(tenantId: string | null, limit: number): Promise<PendingNotification[]> {
    const params: unknown[] = [limit];
    return this.manager.query(
      `SELECT n.id, n.tenant_id AS "tenantId", n.transition, n.event_id AS "eventId", n.channel, a.id AS "alertId",
              r.id AS "ruleId", r.name AS "ruleName", r.metric, a.severity, a.message, a.value,
              a.fired_at AS "firedAt", a.resolved_at AS "resolvedAt"
         FROM observability.alert_notifications n
         JOIN observability.alerts a ON a.id = n.alert_id
         JOIN observability.alert_rules r ON r.id = a.rule_id
        WHERE ${ownedBy('n.tenant_id', tenantId, params)}
        ORDER BY n.created_at, n.id LIMIT $1`,
      params,
    );
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.manager.query(`DELETE FROM observability.alert_notifications WHERE id = ANY($1)`, [
      ids,
    ]);
  }
}
