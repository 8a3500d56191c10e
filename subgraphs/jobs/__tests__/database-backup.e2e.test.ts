import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { PgToolError } from '../../../platform/backup/pg-tools';
import { parseConfig } from '../../../platform/config/load';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { configProblems } from '../../../testing/config-problems';
import { createTestDatabase, type TestDatabase } from '../../../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { backupConfigRules, backupConfigShape } from '../worker/backup/backup-config';
import { BACKUP_SCHEDULER_ID, setupBackupJobs } from '../worker/backup/backup-jobs';
import { createBackupMetrics } from '../worker/backup/backup-metrics';
import { BackupVerificationError, runBackup } from '../worker/backup/backup-run';

// Scheduled, verified backups with the real tools: the worker's job scheduler on a real Redis,
// pg_dump and pg_restore against a real database. Broken tools are small shell scripts in a
// BACKUP_PG_BIN_DIR that wrap the real ones.

const logger = pino({ level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'tessera-backups-'));
const redisPrefix = testRedisPrefix();
const prefix = queuePrefix(redisPrefix);
// BullMQ does not close connections it is handed: afterAll does.
const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const workerConnection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  for (const n of [1, 2]) {
    await db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Backed up')`, [
      randomUUID(),
      `backup-${n}-${randomUUID().slice(0, 8)}`,
    ]);
  }
}, 60_000);

afterAll(async () => {
  await db?.drop();
  await cleanupRedisPrefix(redisPrefix);
  connection.disconnect();
  workerConnection.disconnect();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh directory under the test's temporary root. */
function directory(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A BACKUP_PG_BIN_DIR whose pg_dump runs `dumpScript` and whose pg_restore is the real one. */
function toolsDir(name: string, dumpScript: string): string {
  const dir = directory(name);
  for (const [tool, script] of [
    ['pg_dump', dumpScript],
    ['pg_restore', 'exec pg_restore "$@"'],
  ] as const) {
    writeFileSync(join(dir, tool), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const values = (await registry.getSingleMetric(name)!.get()).values;
  const found = values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return found?.value;
}

function settingsFor(dir: string, binDir?: string) {
  return { databaseUrl: db.ownerUrl, dir, keep: 2, binDir, timeoutMs: 60_000 };
}

it('runs on its schedule and keeps a verified backup, with the metrics to show it', async () => {
  const dir = directory('scheduled');
  const registry = new Registry();
  const config = parseConfig(
    backupConfigShape,
    { BACKUP_CRON: '0 3 * * *', BACKUP_DATABASE_URL: db.ownerUrl, BACKUP_DIR: dir },
    backupConfigRules,
  );
  const jobs = await setupBackupJobs({ config, logger, registry });
  const queue = new Queue(QueueName.MAINTENANCE, { connection, prefix });
  const worker = new Worker(QueueName.MAINTENANCE, (job: Job) => jobs.processors[job.name]!(job), {
    connection: workerConnection,
    prefix,
  });
  try {
    await jobs.schedule(queue);
    expect(await queue.getJobSchedulers()).toEqual([
      expect.objectContaining({ key: BACKUP_SCHEDULER_ID, pattern: '0 3 * * *', tz: 'UTC' }),
    ]);
    // The scheduler's next run waits for 03:00; it is run now instead of waiting for the clock.
    const [scheduled] = await queue.getDelayed();
    expect(scheduled?.name).toBe(JobName.DATABASE_BACKUP);
    const completed = new Promise<{ file: string; tables: number; rows: number }>((resolve) =>
      worker.on('completed', (job, result) => resolve(result)),
    );
    const failed = new Promise<never>((_resolve, reject) =>
      worker.on('failed', (_job, error) => reject(error)),
    );
    await scheduled!.promote();
    const result = await Promise.race([completed, failed]);

    expect(result.file.startsWith(join(dir, `${db.name}-`))).toBe(true);
    expect(result.file.endsWith('.dump') && !result.file.endsWith('.unverified.dump')).toBe(true);
    expect(result.tables).toBeGreaterThan(10);
    expect(result.rows).toBeGreaterThanOrEqual(2);
    expect(readdirSync(dir)).toEqual([result.file.slice(dir.length + 1)]);
    expect(await metric(registry, 'tessera_backup_verified')).toBe(1);
    expect(await metric(registry, 'tessera_backup_last_success_timestamp_seconds')).toBeGreaterThan(
      0,
    );
    expect(await metric(registry, 'tessera_backup_size_bytes')).toBe(statSync(result.file).size);
    expect(await metric(registry, 'tessera_backup_runs_total', { outcome: 'verified' })).toBe(1);

    // A worker that starts later finds it, and one without BACKUP_CRON removes the schedule.
    const restarted = new Registry();
    await setupBackupJobs({ config, logger, registry: restarted });
    expect(await metric(restarted, 'tessera_backup_verified')).toBe(1);
    // Without BACKUP_CRON a production worker says so.
    const off = parseConfig(backupConfigShape, { BACKUP_DIR: dir }, backupConfigRules);
    const lines: string[] = [];
    const capturing = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const unscheduled = await setupBackupJobs({
      config: off,
      logger: capturing,
      registry: new Registry(),
      production: true,
    });
    await unscheduled.schedule(queue);
    expect(await queue.getJobSchedulers()).toEqual([]);
    expect(lines.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([
      expect.objectContaining({
        level: 40,
        msg: expect.stringMatching(/^database backups are not scheduled/),
      }),
    ]);
  } finally {
    await worker.close();
    await queue.close();
  }
});

it.each([
  [
    'is cut short',
    'pg_dump "$@" || exit $?\nfor a; do case "$a" in --file=*) f="${a#--file=}";; esac; done\ntruncate -s 2048 "$f"',
    /pg_restore exited with code 1/,
  ],
  [
    'lacks rows',
    'exec pg_dump --exclude-table-data=tenancy.tenants "$@"',
    /tenancy\.tenants: 2 in the snapshot, 0 restored/,
  ],
])(
  'keeps a backup that %s as unverified, and says so in the metrics',
  async (name, script, reason) => {
    const dir = directory(`corrupt-${name}`);
    const registry = new Registry();
    const metrics = createBackupMetrics(registry);
    const bin = toolsDir(`bin-${name}`, script);
    const failure = await runBackup(settingsFor(dir, bin), metrics, logger).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BackupVerificationError);
    expect((failure as Error).message).toMatch(reason);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/\.unverified\.dump$/)]);
    expect(await metric(registry, 'tessera_backup_verified')).toBe(0);
    expect(await metric(registry, 'tessera_backup_runs_total', { outcome: 'unverified' })).toBe(1);
    expect(await metric(registry, 'tessera_backup_last_success_timestamp_seconds')).toBe(0);
    // No scratch database is left behind.
    const left = await db.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${db.name}_verify_%`,
    ]);
    expect(left).toEqual([]);
  },
);

it('fails clearly when pg_dump is missing or fails, and leaves no file', async () => {
  const registry = new Registry();
  const metrics = createBackupMetrics(registry);
  const empty = directory('no-tools');
  const missingDir = directory('missing');
  const missing = await runBackup(settingsFor(missingDir, empty), metrics, logger).catch(
    (error: unknown) => error,
  );
  expect(missing).toBeInstanceOf(PgToolError);
  expect((missing as Error).message).toBe(
    `pg_dump was not found in ${empty}: install PostgreSQL's client tools (the server's major ` +
      `version or newer) or set BACKUP_PG_BIN_DIR`,
  );
  expect(readdirSync(missingDir)).toEqual([]);

  const failingDir = directory('failing');
  const bin = toolsDir(
    'bin-failing',
    'echo "pg_dump: error: server closed the connection unexpectedly" >&2\nexit 3',
  );
  await expect(runBackup(settingsFor(failingDir, bin), metrics, logger)).rejects.toThrow(
    'pg_dump exited with code 3: pg_dump: error: server closed the connection unexpectedly',
  );
  expect(readdirSync(failingDir)).toEqual([]);
  expect(await metric(registry, 'tessera_backup_runs_total', { outcome: 'failed' })).toBe(2);
  expect(await metric(registry, 'tessera_backup_verified')).toBe(0);
});

it('refuses a malformed schedule, and a schedule without a database to back up', () => {
  expect(
    configProblems(backupConfigShape, { BACKUP_CRON: 'every night' }, backupConfigRules),
  ).toEqual([
    'config error: BACKUP_CRON: must be a cron pattern such as "0 3 * * *" (got "every night")',
  ]);
  expect(
    configProblems(backupConfigShape, { BACKUP_CRON: '0 3 * * *' }, backupConfigRules),
  ).toEqual(['config error: BACKUP_DATABASE_URL: is required when BACKUP_CRON is set']);
  expect(
    configProblems(backupConfigShape, { BACKUP_TZ: 'Mars/Olympus', BACKUP_DIR: 'relative' }),
  ).toEqual([
    'config error: BACKUP_TZ: must be an IANA time zone (got "Mars/Olympus")',
    'config error: BACKUP_DIR: must be an absolute path (got "relative")',
  ]);
});
