import type { Client } from 'pg';
import { PLATFORM_SCOPE } from '../../../platform/events/append-event';
import type { BlobStore } from '../storage/blob-store';
import { archiveKey, archiveRows } from './journal-archive-format';

/** Rows inserted per statement. */
const CHUNK = 1_000;

export interface RestoredArchive {
  archiveId: string;
  month: string;
  rows: number;
}

/**
 * Puts an archived month back into the journal, in one transaction on an owner connection:
 * the month's partition is created (or reused), every row goes back with its id, seq, times
 * and `published_at` (so the relay does not publish it again), and each scope's counter is
 * raised to at least the highest seq restored. Nothing is restored when the archive was
 * already restored, when its row count is not the one recorded at archiving, or when any row's
 * id or (scope, seq) is already in the journal: the journal never holds one event twice.
 */
export async function restoreJournalArchive(
  owner: Client,
  store: BlobStore,
  archiveId: string,
): Promise<RestoredArchive> {
  const { rows: found } = await owner.query<{ month: string; rows: string; restored: Date | null }>(
    `SELECT month::text AS month, row_count::text AS rows, restored_at AS restored
       FROM events.journal_archives WHERE id = $1`,
    [archiveId],
  );
  const archive = found[0];
  if (!archive) throw new Error(`no journal archive ${archiveId}`);
  if (archive.restored) {
    throw new Error(
      `journal archive ${archiveId} was restored at ${archive.restored.toISOString()}`,
    );
  }
  const body = await store.read(archiveKey(archiveId));
  if (!body) throw new Error(`journal archive ${archiveId} is missing from the asset store`);

  await owner.query('BEGIN');
  try {
    await owner.query(`SELECT events.add_journal_month($1::date::timestamp)`, [archive.month]);
    const highest = new Map<string, bigint>();
    let restored = 0;
    let chunk: Record<string, unknown>[] = [];
    const flush = async () => {
      await insertChunk(owner, chunk);
      restored += chunk.length;
      chunk = [];
    };
    for await (const row of archiveRows(body)) {
      const scope = typeof row.tenant_id === 'string' ? row.tenant_id : PLATFORM_SCOPE;
      const seq = BigInt(String(row.seq));
      if (seq > (highest.get(scope) ?? 0n)) highest.set(scope, seq);
      chunk.push(row);
      if (chunk.length >= CHUNK) await flush();
    }
    if (chunk.length > 0) await flush();
    if (String(restored) !== archive.rows) {
      throw new Error(
        `journal archive ${archiveId} holds ${restored} rows, ${archive.rows} recorded`,
      );
    }
    await owner.query(
      `INSERT INTO events.sequences AS s (scope, last_seq)
       SELECT * FROM unnest($1::uuid[], $2::bigint[])
       ON CONFLICT (scope) DO UPDATE SET last_seq = greatest(s.last_seq, excluded.last_seq)`,
      [[...highest.keys()], [...highest.values()].map(String)],
    );
    await owner.query(`UPDATE events.journal_archives SET restored_at = now() WHERE id = $1`, [
      archiveId,
    ]);
    await owner.query('COMMIT');
    return { archiveId, month: archive.month, rows: restored };
  } catch (error) {
    await owner.query('ROLLBACK');
    throw error;
  }
}

/** Inserts archived rows, refusing the whole chunk if any of them is already in the journal. */
async function insertChunk(owner: Client, rows: Record<string, unknown>[]): Promise<void> {
  const json = JSON.stringify(rows);
  const { rows: clashes } = await owner.query<{ id: string }>(
    `SELECT r.id FROM jsonb_populate_recordset(NULL::events.events, $1::jsonb) r
      WHERE EXISTS (SELECT 1 FROM events.events e WHERE e.id = r.id)
         OR EXISTS (SELECT 1 FROM events.events e WHERE e.tenant_id = r.tenant_id AND e.seq = r.seq)
         OR EXISTS (SELECT 1 FROM events.events e
                     WHERE r.tenant_id IS NULL AND e.tenant_id IS NULL AND e.seq = r.seq)
      LIMIT 1`,
    [json],
  );
  if (clashes.length > 0) {
    throw new Error(`event ${clashes[0]!.id} (or its seq) is already in the journal`);
  }
  await owner.query(
    `INSERT INTO events.events SELECT * FROM jsonb_populate_recordset(NULL::events.events, $1::jsonb)`,
    [json],
  );
}
