import { NotFoundError } from '../../../platform/errors/domain-errors';
import type { Scope } from '../../../platform/db/scope';
import { appendEvent } from '../../../platform/events/append-event';
import { EventType } from '../../../platform/events/event-types';
import { isUuid } from '../../../platform/graphql/ids';
import type { RequestContext } from '../../../platform/context/request-context';
import { AlertRepository, type AlertRecord } from './repositories/alert.repository';

/** The unpaginated `alerts` list is capped: newest first. */
export const MAX_ALERTS_LISTED = 200;

/** A tenant's alerts, or the platform's: what fired, whether it resolved, who acknowledged it. */
export class AlertService {
  constructor(
    private readonly scope: Scope,
    private readonly request: RequestContext,
  ) {}

  list(active: boolean | null | undefined): Promise<AlertRecord[]> {
    return this.scope.run((manager) =>
      new AlertRepository(manager).list(this.scope.tenantId, active ?? null, MAX_ALERTS_LISTED),
    );
  }

  /** Another owner's alert (another tenant's, the platform's), or none at all, reads as null. */
  async byId(id: string): Promise<AlertRecord | null> {
    if (!isUuid(id)) return null;
    return this.scope.run((manager) => new AlertRepository(manager).findById(id.toLowerCase()));
  }

  /**
   * Marks the alert seen (firing or resolved): the first acknowledgement counts, later ones
   * return the alert as it is. An API key acknowledges without a user to name.
   */
  acknowledge(id: string): Promise<AlertRecord> {
    if (!isUuid(id)) throw new NotFoundError('Alert');
    return this.scope.run(async (manager) => {
      const alerts = new AlertRepository(manager);
      const existing = await alerts.findById(id.toLowerCase(), true);
      if (!existing) throw new NotFoundError('Alert');
      if (existing.acknowledgedAt) return existing;
      const principal = this.request.principal;
      const by = principal?.kind === 'user' ? principal.id : null;
      const acknowledged = (await alerts.acknowledge(existing.id, by, new Date()))!;
      await appendEvent(manager, {
        type: EventType.ALERT_ACKNOWLEDGED,
        tenantId: this.scope.tenantId,
        payload: { alertId: existing.id, ruleId: existing.ruleId, acknowledgedBy: by },
      });
      return acknowledged;
    });
  }
}
