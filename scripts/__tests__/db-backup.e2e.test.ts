import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { anonymousContext, runWithContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import { appendEvent } from '../../platform/events/append-event';
import { EventType } from '../../platform/events/event-types';
import {
  adminQuery,
  connectAs,
  createTestDatabase,
  type TestDatabase,
} from '../../testing/database';
import { databaseUrl, randomSuffix, TEST_DATABASE_PREFIX } from '../../testing/services';
import { repoRoot } from '../../platform/paths';

// `npm run db:backup` / `npm run db:restore` as an operator runs them (the built script,
// pg_dump and pg_restore): a restore into a fresh database has every row of every table, the
// same sequences, and the services' roles still see only their tenant's rows.

let db: TestDatabase;
// Named like every test database (prefix, pid, suffix), so an interrupted run's is cleaned up.
const restored = `${TEST_DATABASE_PREFIX}${process.pid}_${randomSuffix()}`;
const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));
const tenants = [randomUUID(), randomUUID()];

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [index, tenantId] of tenants.entries()) {
    await db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Backed up')`, [
      tenantId,
      `backup-${index}-${tenantId.slice(0, 8)}`,
    ]);
  }
  const app = await connectAs(db, 'tenancy');
  try {
    for (const tenantId of tenants) {
      await runWithContext({ ...anonymousContext(randomUUID()), tenantId }, () =>
        tenantScope(app, tenantId).run(async (manager) => {
          for (let n = 0; n < 25; n += 1) {
            await appendEvent(manager, {
              type: EventType.TENANT_UPDATED,
              payload: { n, text: 'ünïcode ✓' },
              actor: { kind: 'system', id: null },
            });
          }
        }),
      );
    }
  } finally {
    await app.destroy();
  }
}, 60_000);

afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function script(args: string[], database: string) {
  return spawnSync('node', [join(repoRoot(), 'dist/scripts/db-backup.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      MIGRATION_DATABASE_URL: databaseUrl(database, 'owner'),
    },
  });
}

/** Every table's rows as one checksum each, and every sequence's position. */
async function fingerprint(database: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: databaseUrl(database, 'owner') });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const prints: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const [row] = (
        await client.query<{ n: number; sum: string | null }>(
          `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM ${name} t`,
        )
      ).rows;
      prints[name] = `${row?.n} ${row?.sum}`;
    }
    const sequences = await client.query<{ name: string; value: string | null }>(
      `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS value
         FROM pg_sequences ORDER BY 1`,
    );
    for (const { name, value } of sequences.rows) prints[`sequence ${name}`] = String(value);
    return prints;
  } finally {
    await client.end();
  }
}

it('restores a backup into a fresh database with every row, and refuses a database in use', async () => {
  const file = join(dir, 'tessera.dump');
  const backedUp = script(['backup', file], db.name);
  expect(backedUp.stderr).toBe('');
  expect(backedUp.stdout).toMatch(/^backed up \d+ tables, \d+ rows to /);

  const restoring = script(['restore', file, restored], db.name);
  expect(restoring.stderr).toBe('');
  expect(restoring.stdout).toMatch(new RegExp(`^restored \\d+ tables, \\d+ rows into ${restored}`));

  const [before, after] = await Promise.all([fingerprint(db.name), fingerprint(restored)]);
  expect(Object.keys(after).length).toBeGreaterThan(20);
  expect(after).toEqual(before);

  // Policies and grants came back too: the journal's reader sees one tenant's events, not the
  // other's, and a service that only appends still cannot read them.
  const app = await connectAs({ name: restored }, 'jobs');
  try {
    const seen = await tenantScope(app, tenants[0]!).run((manager) =>
      manager.query(`SELECT DISTINCT tenant_id FROM events.events`),
    );
    expect(seen).toEqual([{ tenant_id: tenants[0] }]);
  } finally {
    await app.destroy();
  }
  const assets = new Client({ connectionString: databaseUrl(restored, 'assets') });
  await assets.connect();
  try {
    await expect(assets.query(`SELECT 1 FROM events.events`)).rejects.toThrow(/permission denied/);
  } finally {
    await assets.end();
  }

  const again = script(['restore', file, restored], db.name);
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/already has \d+ tables, \d+ rows: restore into a new database/);
}, 120_000);

it('makes a verified backup as a CronJob would, and fails clearly without pg_dump', () => {
  const target = join(dir, 'verified');
  const made = script(['verified-backup', target], db.name);
  expect(made.stderr).toBe('');
  expect(made.stdout).toMatch(
    new RegExp(
      `^verified backup ${target}/${db.name}-[0-9TZ-]+\\.dump: \\d+ tables, \\d+ rows restored`,
    ),
  );
  expect(readdirSync(target)).toHaveLength(1);

  const missing = spawnSync(
    'node',
    [join(repoRoot(), 'dist/scripts/db-backup.js'), 'verified-backup', target],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        MIGRATION_DATABASE_URL: databaseUrl(db.name, 'owner'),
        BACKUP_PG_BIN_DIR: dir,
      },
    },
  );
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(`db-backup failed: pg_dump was not found in ${dir}`);
  expect(readdirSync(target)).toHaveLength(1);
}, 120_000);
