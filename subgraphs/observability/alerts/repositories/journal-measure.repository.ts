import type { EntityManager } from 'typeorm';

/**
 * The journal figures an owner's alert rules read, inside the owner's transaction, through the
 * journal's measure functions: they answer for the transaction's scope only (its tenant, or
 * the platform when none is set). Positions are the journal's sequence numbers, which
 * are per owner, gapless and in commit order, so the events between two positions are exactly
 * those committed in between.
 */
export class JournalMeasureRepository {
  constructor(private readonly manager: EntityManager) {}

  /** The owner's last sequence number (0 before its first event). */
  async position(): Promise<number> {
    const rows = await this.manager.query<
      {
        seq: number;
      }[]
    >(`SELECT events.journal_position()::float8 AS seq`);
    return rows[0]?.seq ?? 0;
  }

  /** The owner's events of `type` with a position in (after, upTo] (index: tenant, type, seq). */
  async countOfType(type: string, after: number, upTo: number): Promise<number> {
    const rows = await this.manager.query<{ n: number }[]>(
      `SELECT events.journal_count($1, $2::bigint, $3::bigint) AS n`,
      [type, after, upTo],
    );
    return rows[0]?.n ?? 0;
  }
}
