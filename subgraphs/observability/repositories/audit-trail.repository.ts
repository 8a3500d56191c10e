import type { EntityManager } from 'typeorm';

/** One row of the audit trail, as the audit log and the export read it. */
export interface AuditTrailRow {
  eventId: string;
  tenantId: string | null;
  /** The row's place in its chain, a bigint as text: the audit log's cursor. */
  position: string;
  action: string;
  payload: Record<string, unknown>;
  actorKind: 'user' | 'apiKey' | 'system' | null;
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  occurredAt: Date;
  prevHash: string;
  hash: string;
}

/** What verifying one chain found. */
export interface ChainVerification {
  ok: boolean;
  checked: number;
  brokenPosition: string | null;
  brokenEventId: string | null;
  anchorPosition: string | null;
}

const COLUMNS = `a.event_id AS "eventId", a.tenant_id AS "tenantId", a.position::text AS position,
  a.action, a.payload, a.actor_kind AS "actorKind", a.actor_id AS "actorId",
  a.request_id AS "requestId", a.ip, a.user_agent AS "userAgent", a.occurred_at AS "occurredAt",
  encode(a.prev_hash, 'hex') AS "prevHash", encode(a.hash, 'hex') AS hash`;

/**
 * The audit trail (observability.audit_entries) through its functions: the role reads its
 * scope's rows under row-level security and writes nothing directly (see the migrations).
 */
export class AuditTrailRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Copies up to `maxRows` audited journal events into their chains; how many it copied. */
  async record(actions: readonly string[], maxRows: number): Promise<number> {
    const [row] = await this.manager.query<{ recorded: number }[]>(
      `SELECT observability.record_audit_entries($1::text[], $2) AS recorded`,
      [actions, maxRows],
    );
    return row!.recorded;
  }

  /** Deletes up to `maxRows` rows past the retention from the chains' heads. */
  async prune(retentionDays: number, maxRows: number): Promise<number> {
    const [row] = await this.manager.query<{ removed: number }[]>(
      `SELECT observability.prune_audit_entries($1, $2) AS removed`,
      [retentionDays, maxRows],
    );
    return row!.removed;
  }

  async verify(tenantId: string | null): Promise<ChainVerification> {
    const [row] = await this.manager.query<ChainVerification[]>(
      `SELECT ok, checked::int AS checked, broken_position::text AS "brokenPosition",
              broken_event_id AS "brokenEventId", anchor_position::text AS "anchorPosition"
         FROM observability.verify_audit_chain($1::uuid)`,
      [tenantId],
    );
    return row!;
  }

  /** One chain's rows with `since <= occurred_at < until`, after `afterPosition`, by position. */
  exportPage(options: {
    tenantId: string | null;
    since: Date;
    until: Date;
    afterPosition: string | null;
    limit: number;
  }): Promise<AuditTrailRow[]> {
    return this.manager.query(
      `SELECT ${COLUMNS}
         FROM observability.audit_export_page($1::uuid, $2, $3, $4::bigint, $5) a`,
      [options.tenantId, options.since, options.until, options.afterPosition, options.limit],
    );
  }

  /**
   * The transaction's own chain (row-level security: its tenant's, or the platform's), newest
   * first, before `beforePosition`. One index range per action (scope, action, position), each
   * at most `limit` long, merged: the cost follows the page size.
   */
  page(options: {
    actions: readonly string[];
    actorId: string | null;
    beforePosition: string | null;
    limit: number;
  }): Promise<AuditTrailRow[]> {
    return this.manager.query(
      `SELECT ${COLUMNS}
         FROM unnest($1::text[]) AS wanted (action)
        CROSS JOIN LATERAL (
          SELECT * FROM observability.audit_entries e
           WHERE e.scope = coalesce(nullif(current_setting('app.tenant_id', true), '')::uuid,
                                    '00000000-0000-0000-0000-000000000000'::uuid)
             AND e.action = wanted.action
             AND ($2::uuid IS NULL OR e.actor_id = $2::uuid)
             AND ($3::bigint IS NULL OR e.position < $3::bigint)
           ORDER BY e.position DESC LIMIT $4) a
        ORDER BY a.position DESC LIMIT $4`,
      [options.actions, options.actorId, options.beforePosition, options.limit],
    );
  }
}
