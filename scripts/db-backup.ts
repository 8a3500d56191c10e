import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { runPgTool, type PgToolOptions } from '../platform/backup/pg-tools';
import { countRows } from '../platform/backup/row-counts';
import { loadConfig } from '../platform/config/load';
import { ensureDatabase, type ServiceDatabaseUrls } from '../platform/db/bootstrap';
import { backupConfigShape } from '../subgraphs/jobs/worker/backup/backup-config';
import { createBackupMetrics } from '../subgraphs/jobs/worker/backup/backup-metrics';
import { runBackup } from '../subgraphs/jobs/worker/backup/backup-run';
import { migrationConfigShape, serviceDatabaseUrls } from './migrate';

// `node dist/scripts/db-backup.js backup [file]` dumps the whole database (every schema, row,
// policy and grant) with pg_dump's custom format; `restore <file> [database]` restores one into
// a database that is new or empty, creating it and the services' roles when missing, in a
// single transaction; `verified-backup [dir]` makes a backup as the worker's scheduled job
// does, checked by a restore into a scratch database (a CronJob's command). All connect as the
// schema owner. Runbook: docs/backup-and-restore.md.

/** pg_dump and pg_restore, from PATH or BACKUP_PG_BIN_DIR, stopped after BACKUP_TIMEOUT_SECONDS. */
function toolOptions(databaseUrl: string): PgToolOptions {
  const tools = loadConfig(backupConfigShape);
  return {
    databaseUrl,
    binDir: tools.BACKUP_PG_BIN_DIR,
    timeoutMs: tools.BACKUP_TIMEOUT_SECONDS * 1000,
  };
}

/** Rows per table, for the summary both commands print (and the restore test compares). */
export async function rowCounts(databaseUrl: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await countRows(client);
  } finally {
    await client.end();
  }
}

function summary(counts: Record<string, number>): string {
  const rows = Object.values(counts).reduce((total, n) => total + n, 0);
  return `${Object.keys(counts).length} tables, ${rows} rows`;
}

export async function backup(databaseUrl: string, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await runPgTool(
    'pg_dump',
    ['--format=custom', '--no-password', `--file=${file}`],
    toolOptions(databaseUrl),
  );
  process.stdout.write(`backed up ${summary(await rowCounts(databaseUrl))} to ${file}\n`);
}

export async function restore(
  ownerUrl: string,
  serviceUrls: ServiceDatabaseUrls,
  file: string,
  database: string,
): Promise<void> {
  const target = new URL(ownerUrl);
  target.pathname = `/${encodeURIComponent(database)}`;
  await ensureDatabase(target.toString(), serviceUrls);
  const existing = await rowCounts(target.toString());
  if (Object.keys(existing).length > 0) {
    throw new Error(
      `database "${database}" already has ${summary(existing)}: restore into a new database`,
    );
  }
  await runPgTool(
    'pg_restore',
    ['--exit-on-error', '--single-transaction', '--no-password', `--dbname=${database}`, file],
    toolOptions(target.toString()),
  );
  process.stdout.write(
    `restored ${summary(await rowCounts(target.toString()))} into ${database}\n`,
  );
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig(migrationConfigShape);
  const [command, file, database] = args;
  const own = decodeURIComponent(new URL(config.MIGRATION_DATABASE_URL).pathname.slice(1));
  if (command === 'backup') {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await backup(config.MIGRATION_DATABASE_URL, resolve(file ?? `backups/${own}-${stamp}.dump`));
  } else if (command === 'restore' && file) {
    await restore(
      config.MIGRATION_DATABASE_URL,
      serviceDatabaseUrls(config),
      resolve(file),
      database ?? own,
    );
  } else if (command === 'verified-backup') {
    const backups = loadConfig(backupConfigShape);
    const made = await runBackup(
      {
        ...toolOptions(config.MIGRATION_DATABASE_URL),
        dir: file ? resolve(file) : backups.BACKUP_DIR,
        keep: backups.BACKUP_KEEP,
      },
      createBackupMetrics(new Registry()),
      pino({ level: 'silent' }),
    );
    process.stdout.write(
      `verified backup ${made.file}: ${made.tables} tables, ${made.rows} rows restored\n`,
    );
  } else {
    throw new Error('use: backup [file] | restore <file> [database] | verified-backup [dir]');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `db-backup failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
