import type { EntityManager } from 'typeorm';
import { PLATFORM_SCOPE } from '../../../platform/events';
import { ownedBy } from './owned-by';

/**
 * The journal figures an owner's alert rules read (events.events, events.sequences), inside
 * the owner's transaction: row-level security shows a tenant transaction its tenant's events
 * only, and a platform one the platform's. Positions are the journal's sequence numbers, which
 * are per owner, gapless and in commit order, so the events between two positions are exactly
 * those committed in between.
 */
export class JournalMeasureRepository {
  constructor(private readonly manager: EntityManager) {}

  /** The owner's last sequence number (0 before its first event). */
  async position(tenantId: string | null): Promise<number> {
    const rows = (await this.manager.query(
      `SELECT last_seq::float8 AS seq FROM events.sequences WHERE scope = $1`,
      [tenantId ?? PLATFORM_SCOPE],
    )) as { seq: number }[];
    return rows[0]?.seq ?? 0;
  }

  /** The owner's events of `type` with a position in (after, upTo] (index: tenant, type, seq). */
  async countOfType(
    tenantId: string | null,
    type: string,
    after: number,
    upTo: number,
  ): Promise<number> {
    const params: unknown[] = [type, after, upTo];
    const rows = (await this.manager.query(
      `SELECT count(*)::int AS n FROM events.events
        WHERE ${ownedBy('tenant_id', tenantId, params)} AND type = $1
          AND seq > $2::bigint AND seq <= $3::bigint`,
      params,
    )) as { n: number }[];
    return rows[0]?.n ?? 0;
  }
}
