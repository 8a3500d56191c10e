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
 * Reads the event journal inside the caller's transaction, through `events.audit_entries` (the
 * journal belongs to no schema of observability's): a tenant's transaction reads that tenant's
 * events, one without a tenant the platform's. Nothing here widens what the transaction may see.
 */
export class AuditRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Newest first, before `beforeSeq`. One index range per action (events_tenant_type_seq_idx:
   * tenant, type, seq), each at most `limit` long, merged: the cost follows the page size, not
   * the size of the journal.
   */
  page(options: {
    actions: readonly string[];
    actorId: string | null;
    beforeSeq: string | null;
    limit: number;
  }): Promise<AuditRecord[]> {
    return this.manager.query(
      `SELECT e.id, e.seq::text AS seq, e.type, e.payload, e.actor_kind AS "actorKind",
              e.actor_id AS "actorId", e.request_id AS "requestId", e.ip,
              e.user_agent AS "userAgent", e.occurred_at AS "occurredAt"
         FROM events.audit_entries($1::text[], $2::uuid, $3::bigint, $4) e`,
      [options.actions, options.actorId, options.beforeSeq, options.limit],
    );
  }
}
