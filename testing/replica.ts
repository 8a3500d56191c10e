import { execFile, execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventually } from './eventually';
import { freePort } from './free-port';
import { adminQuery } from './database';
import { randomSuffix, TEST_POSTGRES_URL } from './services';

const run = promisify(execFile);
const POSTGRES_BIN = process.env.TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: as root, the replica runs as this system user. */
const POSTGRES_USER = 'postgres';

export interface TestReplica {
  port: number;
  /** `url` (a test database URL on the primary) pointed at the replica instead. */
  urlOf(url: string): string;
  /** Runs SQL on the replica as the superuser (pausing replay, reading its position). */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Stops the server at once (`-m immediate`), as a crash or a lost host would. */
  kill(): Promise<void>;
  /** Stops the server if it runs and removes its directory. Bounded; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A real streaming replica of the test server: `pg_basebackup -R` of the whole cluster into a
 * temporary directory and a second postgres on a free port, replaying the primary's WAL. The
 * primary must allow replication connections from 127.0.0.1 (scripts/allow-local-replication.sh).
 */
export async function startTestReplica(): Promise<TestReplica> {
  const primary = new URL(TEST_POSTGRES_URL);
  const asRoot = process.getuid?.() === 0;
  // The runner's pid in the name lets a later run stop what a killed run left behind.
  const directory = mkdtempSync(join(tmpdir(), `${DIRECTORY_PREFIX}${process.pid}-`));
  const dataDirectory = join(directory, 'data');
  if (asRoot) chownSync(directory, ...postgresIds());
  // A slot of its own keeps the primary's WAL until the replica has it: without one, a busy
  // primary's checkpoints recycle segments a replica still starting up needs.
  const slot = `${SLOT_PREFIX}${process.pid}_${randomSuffix()}`;
  const port = await freePort();
  let started = false;
  const stopServer = async () => {
    if (!started) return;
    started = false;
    await stopPostgres(dataDirectory);
  };
  const stop = async () => {
    await stopServer();
    await dropSlot(slot);
    rmSync(directory, { recursive: true, force: true });
  };

  try {
    await baseBackup(primary, dataDirectory, slot);
    writeStandbyConfig(dataDirectory, directory, port);
    if (asRoot) chownSync(dataDirectory, ...postgresIds());
    // Marked first: a start that timed out may still have left a server to stop.
    started = true;
    const log = join(directory, 'log');
    await pg('pg_ctl', ['start', '-D', dataDirectory, '-w', '-t', '60', '-l', log]).catch(
      (error: unknown) => {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2_000) : '';
        throw new Error(`the test replica did not start: ${String(error)}\n${tail}`);
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const urlOf = (url: string) => {
    const parsed = new URL(url);
    parsed.port = String(port);
    return parsed.toString();
  };
  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: urlOf(TEST_POSTGRES_URL) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    port,
    urlOf,
    query,
    // A pause is only requested by the call; replay stops at its next record.
    pauseReplay: async () => {
      await query('SELECT pg_wal_replay_pause()');
      await eventually(async () => {
        const [row] = await query<{ state: string }>(
          'SELECT pg_get_wal_replay_pause_state() AS state',
        );
        return row?.state === 'paused';
      });
    },
    resumeReplay: async () => void (await query('SELECT pg_wal_replay_resume()')),
    kill: stopServer,
    stop,
  };
}

const DIRECTORY_PREFIX = 'tessera-replica-';
const SLOT_PREFIX = 'tessera_replica_';

/** Runs a PostgreSQL tool, as the `postgres` user when the tests run as root. */
function pg(tool: string, args: string[]) {
  const command = join(POSTGRES_BIN, tool);
  return process.getuid?.() === 0
    ? run('runuser', ['-u', POSTGRES_USER, '--', command, ...args], { timeout: 120_000 })
    : run(command, args, { timeout: 120_000 });
}

async function stopPostgres(dataDirectory: string): Promise<void> {
  // Fails when the server is not running, which is what stopping wants anyway.
  await pg('pg_ctl', ['stop', '-D', dataDirectory, '-m', 'immediate', '-t', '30']).catch(
    () => undefined,
  );
}

/**
 * Stops and removes the replicas of runs that ended without their teardown (killed runners),
 * so no stray server keeps a port and a replication connection to the test server.
 */
export async function removeLeftoverReplicas(isAlive: (pid: number) => boolean): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${DIRECTORY_PREFIX}(\\d+)-`).exec(entry)?.[1]);
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const directory = join(tmpdir(), entry);
    await stopPostgres(join(directory, 'data'));
    rmSync(directory, { recursive: true, force: true });
  }
  const slots = await adminQuery<{ slot_name: string }>(
    'SELECT slot_name FROM pg_replication_slots WHERE starts_with(slot_name, $1)',
    [SLOT_PREFIX],
  );
  for (const { slot_name: slot } of slots) {
    const pid = Number(new RegExp(`^${SLOT_PREFIX}(\\d+)_`).exec(slot)?.[1]);
    if (Number.isInteger(pid) && !isAlive(pid)) await dropSlot(slot);
  }
}

/** Drops a replica's slot, ending the primary's sender to a stopped replica if it lingers. */
async function dropSlot(slot: string): Promise<void> {
  await eventually(async () => {
    await adminQuery(
      `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
        WHERE slot_name = $1 AND active_pid IS NOT NULL`,
      [slot],
    );
    try {
      await adminQuery(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      return true;
    } catch {
      return false;
    }
  }, 30_000);
}

/** The base backup's postgresql.conf and pg_hba.conf live in /etc on Debian: these stand in. */
function writeStandbyConfig(dataDirectory: string, socketDirectory: string, port: number): void {
  writeFileSync(
    join(dataDirectory, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${socketDirectory}'`,
      'hot_standby = on',
      'max_connections = 100',
      'shared_buffers = 32MB',
      'fsync = off',
      'logging_collector = off',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dataDirectory, 'pg_hba.conf'),
    'local all all trust\nhost all all 127.0.0.1/32 trust\n',
  );
}

function postgresIds(): [number, number] {
  const ids = (flag: string) => Number(execFileSync('id', [flag, POSTGRES_USER]).toString().trim());
  return [ids('-u'), ids('-g')];
}

/**
 * `pg_basebackup -R` of the primary into `dataDirectory`. A busy server's checkpoints (every
 * test file's CREATE DATABASE forces one) can end the backup's WAL stream; it is tried again.
 */
async function baseBackup(primary: URL, dataDirectory: string, slot: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await pg('pg_basebackup', [
        ...['-h', primary.hostname, '-p', primary.port || '5432'],
        ...['-U', decodeURIComponent(primary.username) || 'postgres'],
        ...['-D', dataDirectory, '-R', '-X', 'stream', '-c', 'fast', '-C', '-S', slot],
      ]);
      return;
    } catch (error) {
      const text = String((error as { stderr?: string }).stderr ?? error);
      if (attempt >= 3 || !/termination of replication stream/.test(text)) {
        throw explainBaseBackupFailure(error);
      }
      rmSync(dataDirectory, { recursive: true, force: true });
      await dropSlot(slot);
    }
  }
}

function explainBaseBackupFailure(error: unknown): Error {
  const text = String((error as { stderr?: string }).stderr ?? error);
  if (/no pg_hba\.conf entry for replication/.test(text)) {
    return new Error(
      'the test replica needs replication connections from 127.0.0.1: add ' +
        '"host replication all 127.0.0.1/32 trust" to pg_hba.conf and reload ' +
        '(scripts/allow-local-replication.sh does this)',
    );
  }
  return new Error(`pg_basebackup failed: ${text.trim()}`);
}
