import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../platform/config';
import { ensureDatabase, type ServiceDatabaseUrls } from '../platform/db';
import { migrationConfigShape, serviceDatabaseUrls } from './migrate';

// `node dist/scripts/db-backup.js backup [file]` dumps the whole database (every schema, row,
// policy and grant) with pg_dump's custom format; `restore <file> [database]` restores one into
// a database that is new or empty, creating it and the services' roles when missing, in a
// single transaction. Both connect as the schema owner. Runbook: docs/backup-and-restore.md.

/** libpq's environment for `databaseUrl`, so no password shows in a process list. */
function libpqEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const parsed = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${command} exited with ${code}`)),
    );
  });
}

/** Rows per table, for the summary both commands print (and the restore test compares). */
export async function rowCounts(databaseUrl: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const [row] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`))
        .rows;
      counts[name] = row?.n ?? 0;
    }
    return counts;
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
  await run(
    'pg_dump',
    ['--format=custom', '--no-password', `--file=${file}`],
    libpqEnv(databaseUrl),
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
  await run(
    'pg_restore',
    ['--exit-on-error', '--single-transaction', '--no-password', `--dbname=${database}`, file],
    libpqEnv(target.toString()),
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
  } else {
    throw new Error('use: backup [file] | restore <file> [database]');
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
