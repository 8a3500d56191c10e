import type { DataSource } from 'typeorm';

export interface JournalPartition {
  name: string;
  /** Null for the default partition. */
  starts: Date | null;
  ends: Date | null;
}

/** Rows read per call while a month is written out. */
export const ARCHIVE_PAGE = 2_000;
/** Counting and digesting a whole month before its drop may outlast the pool's usual limit. */
const DROP_STATEMENT_TIMEOUT = '15min';

/**
 * The journal's partitions as the assets process reaches them: only through the events
 * schema's archive functions (it has no privilege on the journal's tables).
 */
export class JournalArchiveRepository {
  constructor(private readonly dataSource: DataSource) {}

  partitions(): Promise<JournalPartition[]> {
    return this.dataSource.query(`SELECT name, starts, ends FROM events.journal_partitions()`);
  }

  /** The next page of a partition's rows after `afterId`, in id order, as JSON objects. */
  async page(partition: string, afterId: string | null): Promise<Record<string, unknown>[]> {
    const rows = await this.dataSource.query<{ row: Record<string, unknown> }[]>(
      `SELECT r AS row FROM events.journal_partition_rows($1, $2::uuid, $3) r`,
      [partition, afterId, ARCHIVE_PAGE],
    );
    return rows.map((entry) => entry.row);
  }

  /** Detaches, counts and drops the partition, recording its archive; answers the rows dropped. */
  async drop(
    partition: string,
    archive: { id: string; rows: number; idsDigest: string; sizeBytes: number },
    before: Date,
  ): Promise<number> {
    // Maintenance on the journal's partitions, which belong to every tenant at once: no row
    // is read or written through row-level security, so a bare transaction (no Scope) is right.
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = '${DROP_STATEMENT_TIMEOUT}'`);
      const [answer] = await manager.query<{ dropped: number }[]>(
        `SELECT events.drop_journal_partition($1, $2, $3, $4, $5, $6)::int AS dropped`,
        [partition, archive.id, archive.rows, archive.idsDigest, archive.sizeBytes, before],
      );
      return answer!.dropped;
    });
  }
}
