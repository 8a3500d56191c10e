import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalArchiveCall } from '../../../platform/contracts/assets/journal-archive';
import { PLATFORM_SCOPE } from '../../../platform/events/append-event';
import { repoRoot } from '../../../platform/paths';
import { eventually } from '../../../testing/eventually';
import { postGraphQL } from '../../../testing/graphql-client';
import { postInternal, refusalCode } from '../../../testing/internal-requests';
import { signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { archiveRows } from '../../assets/journal-archive/journal-archive-format';

// The month-partitioned journal end to end: the real worker's events retention has the real
// assets process archive an expired month into its (local disk) store and drop it, the
// restore script puts it back. Months are arranged by the database owner with explicit
// occurred_at.

const DAY = 86_400_000;
const tenant = randomUUID();
let stack: TestStack;
let storage: string;
let platformAdmin: TestUser;

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-journal-archive-e2e-'));
  stack = await startStack({
    worker: true,
    // One scheduled run of each target at start, then none during the test.
    env: { ASSETS_STORAGE_PATH: storage, PURGE_INTERVAL_SECONDS: '86400' },
  });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'arch', 'A')`, [
    tenant,
  ]);
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  await eventually(async () => {
    const [row] = await stack.db.query<{ open: number; events: number }>(
      `SELECT count(*) FILTER (WHERE finished_at IS NULL)::int AS open,
              count(*) FILTER (WHERE target = 'events')::int AS events
         FROM jobs.purge_runs WHERE trigger = 'schedule'`,
    );
    return row!.events > 0 && row!.open === 0;
  }, 60_000);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

/** The first instant of the UTC month `daysAgo` days back, and that month's partition name. */
function monthAgo(daysAgo: number): { start: Date; name: string; label: string } {
  const date = new Date(Date.now() - daysAgo * DAY);
  const start = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  const label = start.toISOString().slice(0, 7);
  return { start, name: `events_y${label.replace('-', 'm')}`, label };
}

/** Published events of the tenant in that month, seq drawn from its counter. */
async function arrange(start: Date, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const [row] = await stack.db.query<{ id: string }>(
      `WITH next AS (
         INSERT INTO events.sequences (scope, last_seq) VALUES ($1, 1)
         ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
         RETURNING last_seq)
       INSERT INTO events.events (tenant_id, seq, type, payload, occurred_at, published_at)
       SELECT $1, last_seq, 'tenancy.tenant.updated', jsonb_build_object('n', $3::int), $2, $2
         FROM next RETURNING id`,
      [tenant, new Date(start.getTime() + (n + 1) * 3_600_000), n],
    );
    ids.push(row!.id);
  }
  return ids.sort();
}

async function runPurge(): Promise<{ deleted: number; error: string | null }> {
  const response = await postGraphQL<{ runPurge: { id: string } }>(
    stack.gatewayUrl,
    { query: `mutation { runPurge(target: "events") { id } }` },
    platformAdmin.headers(),
  );
  const id = response.body.data?.runPurge.id;
  if (!id) throw new Error(response.text);
  return eventually(async () => {
    const [run] = await stack.db.query<{ deleted: number; error: string | null }>(
      `SELECT deleted, error FROM jobs.purge_runs WHERE id = $1 AND finished_at IS NOT NULL`,
      [id],
    );
    return run;
  }, 60_000);
}

const partitionExists = async (name: string) =>
  (
    await stack.db.query<{ part: string | null }>(`SELECT to_regclass($1) AS part`, [
      `events.${name}`,
    ])
  )[0]!.part !== null;

const eventIds = async (ids: string[]) =>
  (await stack.db.query<{ id: string }>(`SELECT id FROM events.events WHERE id = ANY($1)`, [ids]))
    .map((row) => row.id)
    .sort();

function restore(which: string) {
  return spawnSync('node', [join(repoRoot(), 'dist', 'scripts', 'journal-restore.js'), which], {
    env: {
      ...process.env,
      MIGRATION_DATABASE_URL: stack.db.ownerUrl,
      ASSETS_STORAGE: 'local',
      ASSETS_STORAGE_PATH: storage,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('archiving an expired month', () => {
  const old = monthAgo(800);
  let archived: string[];
  let archiveId: string;

  it('archives the month to the asset store, verified, then drops its partition', async () => {
    archived = await arrange(old.start, 3);
    expect(await runPurge()).toMatchObject({ error: null, deleted: 3 });
    expect(await partitionExists(old.name)).toBe(false);
    expect(await eventIds(archived)).toEqual([]);
    const [record] = await stack.db.query<{ id: string; rows: number }>(
      `SELECT id, row_count::int AS rows FROM events.journal_archives WHERE month = $1::date`,
      [`${old.label}-01`],
    );
    expect(record).toMatchObject({ rows: 3 });
    archiveId = record!.id;
    // gzip NDJSON, one whole journal row a line, under the platform's tenant segment.
    const path = join(storage, PLATFORM_SCOPE, archiveId.slice(0, 2), archiveId);
    const rows: Record<string, unknown>[] = [];
    for await (const row of archiveRows(createReadStream(path))) rows.push(row);
    expect(rows.map((row) => row.id).sort()).toEqual(archived);
    expect(rows[0]).toMatchObject({ tenant_id: tenant, type: 'tenancy.tenant.updated' });
    const metrics = await (await fetch(`${stack.url('assets')}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_journal_partitions_archived_total\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^tessera_journal_partitions_dropped_total\{[^}]*\} 1$/m);
    const [present] = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events.journal_partitions()`,
    );
    const gauge = await (await fetch(`${stack.url('worker')}/metrics`)).text();
    expect(gauge).toMatch(new RegExp(`^tessera_journal_partitions\\{[^}]*\\} ${present!.n}$`, 'm'));
  });

  it('restores the archive with every id, seq and publication, once', async () => {
    const done = restore(archiveId);
    expect(done.stderr).toBe('');
    expect(done.stdout).toContain(`restored 3 events of ${old.label} from archive ${archiveId}`);
    expect(await partitionExists(old.name)).toBe(true);
    const rows = await stack.db.query<{ id: string; published: boolean; part: string }>(
      `SELECT id, published_at IS NOT NULL AS published, tableoid::regclass::text AS part
         FROM events.events WHERE id = ANY($1) ORDER BY id`,
      [archived],
    );
    expect(rows.map((row) => row.id)).toEqual(archived);
    expect(rows.every((row) => row.published && row.part === `events.${old.name}`)).toBe(true);

    const again = restore(archiveId);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('was restored at');
    expect(restore(old.label).stderr).toContain('no journal archive to restore');
    expect(restore('not-an-archive').stderr).toContain('use: journal:restore');
  });

  it('refuses to restore rows already in the journal, and changes nothing', async () => {
    await stack.db.query(`UPDATE events.journal_archives SET restored_at = NULL WHERE id = $1`, [
      archiveId,
    ]);
    const refused = restore(archiveId);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('is already in the journal');
    const [count] = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events.events WHERE id = ANY($1)`,
      [archived],
    );
    expect(count!.n).toBe(3);
  });

  it('keeps the month, and deletes nothing, while the asset store cannot be written', async () => {
    const kept = monthAgo(1000);
    const ids = await arrange(kept.start, 2);
    // The store's root becomes a file: every write under it fails.
    const aside = `${storage}-aside`;
    renameSync(storage, aside);
    writeFileSync(storage, 'not a directory');
    try {
      const run = await runPurge();
      expect(run.error).toContain(kept.name);
      expect(await partitionExists(kept.name)).toBe(true);
      expect(await eventIds(ids)).toEqual(ids);
      const metrics = await (await fetch(`${stack.url('assets')}/metrics`)).text();
      expect(metrics).toMatch(/^tessera_journal_archive_failures_total\{[^}]*\} [1-9]/m);
    } finally {
      rmSync(storage, { force: true });
      renameSync(aside, storage);
    }
    // Once the store is back, the next run archives it.
    expect(await runPurge()).toMatchObject({ error: null });
    expect(await partitionExists(kept.name)).toBe(false);
  });

  it('answers only the worker, and no cutoff less than a day old', async () => {
    const recent = await postInternal(stack, journalArchiveCall, {
      before: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(recent.status).toBe(409);
    expect(await refusalCode(recent)).toBe('CONFLICT');
    const malformed = await postInternal(stack, journalArchiveCall, { before: 'yesterday' });
    expect(malformed.status).toBe(400);
    const asJobs = await postInternal(
      stack,
      journalArchiveCall,
      { before: new Date(Date.now() - 400 * DAY).toISOString() },
      { as: 'jobs' },
    );
    expect(asJobs.status).toBe(403);
  });
});
