import type { EntityManager } from 'typeorm';

/** One journal row as the audit log reads it. */
export interface AuditRecord {
  id: string;
  /** A bigint, as text. */
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actorKind: 'user' | 'apiKey' | 'system' | null;
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  occurredAt: Date;
}

/**
 * Reads the event journal (events.events) inside the caller's transaction: a tenant's, where
 * row-level security shows that tenant's events, or one without a tenant, which shows the
 * platform's. Nothing here widens what the transaction may see.
 */
export class AuditRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Newest first, before `beforeSeq`. One index range per action (events_tenant_type_seq_idx:
   * tenant, type, seq), each at most `limit` long, merged: the cost follows the page size, not
   * the size of the journal.
   */
  page(options: {
    tenantId: string | null;
    actions: readonly string[];
    actorId: string | null;
    beforeSeq: string | null;
    limit: number;
  }): Promise<AuditRecord[]> {
    // Two spellings, so both use the index (IS NOT DISTINCT FROM would not).
    const scope = options.tenantId === null ? 'x.tenant_id IS NULL' : 'x.tenant_id = $5::uuid';
    return this.manager.query(
      `SELECT e.id, e.seq::text AS seq, e.type, e.payload, e.actor_kind AS "actorKind",
              e.actor_id AS "actorId", e.request_id AS "requestId", e.ip,
              e.user_agent AS "userAgent", e.occurred_at AS "occurredAt"
         FROM unnest($1::text[]) AS action(type)
         CROSS JOIN LATERAL (
           SELECT * FROM events.events x
            WHERE ${scope} AND x.type = action.type
              AND ($2::uuid IS NULL OR x.actor_id = $2::uuid)
              AND ($3::bigint IS NULL OR x.seq < $3::bigint)
            ORDER BY x.seq DESC LIMIT $4) e
        ORDER BY e.seq DESC LIMIT $4`,
      [
        options.actions,
        options.actorId,
        options.beforeSeq,
        options.limit,
        ...(options.tenantId === null ? [] : [options.tenantId]),
      ],
    );
  }
}
