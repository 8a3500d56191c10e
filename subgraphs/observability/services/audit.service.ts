import { ValidationError } from '../../../platform/errors/domain-errors';
import type { Scope } from '../../../platform/db/scope';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '../../../platform/graphql/pagination';
import { isUuid } from '../../../platform/graphql/ids';
import { AUDIT_ACTIONS, isAuditAction } from '../audit/audit-actions';
import { AuditTrailRepository, type AuditTrailRow } from '../repositories/audit-trail.repository';

export interface AuditQuery {
  first?: number | null;
  after?: string | null;
  action?: string | null;
  actorId?: string | null;
}

/**
 * The audit log: the audit trail's rows (the journal's security-relevant events, audit-actions.ts,
 * copied into their own append-only table), newest first. A tenant's log is read in the
 * tenant's transaction; the platform's (sign-in failures, session revocations, account changes,
 * which happen before or outside any tenant) in a transaction without a tenant, for platform
 * administrators.
 */
export class AuditService {
  constructor(
    private readonly tenant: Scope,
    /** No app.tenant_id in its transactions: the journal shows platform events only. */
    private readonly platform: Scope,
  ) {}

  tenantLog(query: AuditQuery): Promise<Connection<AuditTrailRow>> {
    return this.page(query, this.tenant);
  }

  platformLog(query: AuditQuery): Promise<Connection<AuditTrailRow>> {
    return this.page(query, this.platform);
  }

  private async page(query: AuditQuery, scope: Scope): Promise<Connection<AuditTrailRow>> {
    const size = pageSize(query.first);
    const after = decodeCursor(query.after);
    if (after && !/^[1-9][0-9]{0,18}$/.test(after.value)) {
      throw new ValidationError('after is not a valid cursor', { field: 'after' });
    }
    if (query.action && !isAuditAction(query.action)) {
      throw new ValidationError(`action must be one of the audited event types`, {
        field: 'action',
      });
    }
    if (query.actorId && !isUuid(query.actorId)) {
      throw new ValidationError('actorId must be a user or API key id', { field: 'actorId' });
    }
    const rows = await scope.read((manager) =>
      new AuditTrailRepository(manager).page({
        actions: query.action ? [query.action] : AUDIT_ACTIONS,
        actorId: query.actorId?.toLowerCase() ?? null,
        beforePosition: after?.value ?? null,
        limit: size + 1,
      }),
    );
    return toConnection(rows, size, (row) => ({ value: row.position, id: row.eventId }));
  }
}

export type AuditConnectionModel = Connection<AuditTrailRow>;
