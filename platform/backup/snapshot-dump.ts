import { stat } from 'node:fs/promises';
import { Client } from 'pg';
import { runPgTool, type PgToolOptions } from './pg-tools';
import { countRows, type RowCounts } from './row-counts';

export interface SnapshotDump {
  /** Rows per table in the very snapshot the dump holds. */
  counts: RowCounts;
  sizeBytes: number;
}

/**
 * Dumps the database `options.databaseUrl` names (pg_dump's custom format) into `file`, and
 * counts its rows in the same snapshot: a transaction exports its snapshot, pg_dump dumps
 * that snapshot (`--snapshot`) and the counts are taken in it too, so they are exactly what
 * the dump holds while the platform goes on writing.
 */
export async function dumpWithRowCounts(
  file: string,
  options: PgToolOptions,
): Promise<SnapshotDump> {
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [exported] = (
      await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')
    ).rows;
    const counts = await countRows(client);
    await runPgTool(
      'pg_dump',
      ['--format=custom', '--no-password', `--snapshot=${exported!.snapshot}`, `--file=${file}`],
      options,
    );
    await client.query('COMMIT');
    return { counts, sizeBytes: (await stat(file)).size };
  } finally {
    await client.end();
  }
}
