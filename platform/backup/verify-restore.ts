import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { runPgTool, type PgToolOptions } from './pg-tools';
import { countMismatches, countRows, type RowCounts } from './row-counts';

export type RestoreCheck = { verified: true; tables: number } | { verified: false; reason: string };

/** PostgreSQL's identifier limit. */
const MAX_IDENTIFIER = 63;

/**
 * Restores `file` into a scratch database on the same server (created here, dropped
 * afterwards whatever happens) and compares each table's rows with `expected`. A dump that
 * pg_restore refuses, or whose restore holds other counts, is not verified; the reason names
 * what failed (pg_restore's message, or the first tables whose counts differ).
 */
export async function verifyByRestore(
  file: string,
  expected: RowCounts,
  options: PgToolOptions,
): Promise<RestoreCheck> {
  const source = new URL(options.databaseUrl);
  const sourceName = decodeURIComponent(source.pathname.slice(1));
  const suffix = `_verify_${randomBytes(4).toString('hex')}`;
  const scratch = `${sourceName.slice(0, MAX_IDENTIFIER - suffix.length)}${suffix}`;
  const scratchUrl = new URL(source);
  scratchUrl.pathname = `/${encodeURIComponent(scratch)}`;
  const maintenanceUrl = new URL(source);
  maintenanceUrl.pathname = '/postgres';

  await onServer(maintenanceUrl, `CREATE DATABASE ${escapeIdentifier(scratch)}`);
  try {
    try {
      await runPgTool(
        'pg_restore',
        ['--exit-on-error', '--single-transaction', '--no-password', `--dbname=${scratch}`, file],
        { ...options, databaseUrl: scratchUrl.toString() },
      );
    } catch (error) {
      return { verified: false, reason: (error as Error).message };
    }
    const client = new Client({ connectionString: scratchUrl.toString() });
    await client.connect();
    const restored = await countRows(client).finally(() => client.end());
    const mismatches = countMismatches(expected, restored);
    if (mismatches.length === 0) return { verified: true, tables: Object.keys(restored).length };
    const named = mismatches
      .slice(0, 5)
      .map(
        (m) =>
          `${m.table}: ${m.expected ?? 'absent'} in the snapshot, ${m.actual ?? 'absent'} restored`,
      );
    return {
      verified: false,
      reason: `${mismatches.length} tables differ after restoring: ${named.join('; ')}`,
    };
  } finally {
    await onServer(
      maintenanceUrl,
      `DROP DATABASE IF EXISTS ${escapeIdentifier(scratch)} WITH (FORCE)`,
    );
  }
}

async function onServer(url: URL, sql: string): Promise<void> {
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
