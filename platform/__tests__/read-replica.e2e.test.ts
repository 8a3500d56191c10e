import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AssetsClient } from '../../subgraphs/assets/__tests__/assets-client';
import { eventually } from '../../testing/eventually';
import { metricValue, scrape, codeOf } from '../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../testing/members';
import { startTestReplica, type TestReplica } from '../../testing/replica';
import { startStack, type TestStack } from '../../testing/stack';

// Reads that may lag (here: the assets listing) against a real streaming replica of the test
// server, through the gateway and the real processes. Pausing the replica's replay makes its
// lag visible, which is what proves a listing was answered by the replica.

/** Replay also carries every other test database's creation on a busy machine: allow for it. */
const REPLAY_TIMEOUT_MS = 90_000;

const tenantA = randomUUID();
const tenantB = randomUUID();
let replica: TestReplica;
let stack: TestStack;
let storage: string;
let writer: TestUser;
let reader: TestUser;
let outsider: TestUser;

const as = (user: TestUser, tenantId = tenantA) =>
  new AssetsClient(stack.gatewayUrl, user.headers(tenantId));

async function listedNames(user: TestUser, tenantId = tenantA): Promise<string[]> {
  const response = await as(user, tenantId).call<{ assets: { nodes: { name: string }[] } }>(
    `{ assets(first: 100) { nodes { name } } }`,
  );
  if (!response.body.data || response.body.errors) throw new Error(response.text);
  return response.body.data.assets.nodes.map((asset) => asset.name);
}

const assetsMetric = async (name: string, labels: Record<string, string> = {}) =>
  metricValue(await scrape(stack.url('assets')), name, labels);

beforeAll(async () => {
  storage = mkdtempSync(join(tmpdir(), 'tessera-replica-e2e-'));
  replica = await startTestReplica();
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'assets'],
    replica,
    // Bound far above the test's paused seconds: lag alone must not send reads to the primary.
    env: { ASSETS_STORAGE_PATH: storage, READ_DATABASE_MAX_LAG_SECONDS: '600' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'replica-a', 'A'), ($2, 'replica-b', 'B')`,
    [tenantA, tenantB],
  );
  [writer, reader, outsider] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantB, 'MEMBER'),
  ]);
  // The test database was created after the base backup: the replica serves once it has it.
  await eventually(
    async () => (await assetsMetric('tessera_db_replica_up')) === 1,
    REPLAY_TIMEOUT_MS,
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await replica?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
}, 60_000);

describe('reads that may lag', () => {
  it('lists from the replica while the writer reads its own write from the primary', async () => {
    await as(writer).mustCreate({ name: 'before-pause.bin', sizeBytes: 10 });
    await eventually(
      async () => (await listedNames(reader)).includes('before-pause.bin'),
      REPLAY_TIMEOUT_MS,
    );

    await replica.pauseReplay();
    await as(writer).mustCreate({ name: 'while-paused.bin', sizeBytes: 10 });
    const replicaReads = await assetsMetric('tessera_db_routed_reads_total', { target: 'replica' });

    // The reader wrote nothing: its listing is the replica's, which has not replayed the write.
    const readerSees = await listedNames(reader);
    expect(readerSees).toContain('before-pause.bin');
    expect(readerSees).not.toContain('while-paused.bin');
    expect(
      await assetsMetric('tessera_db_routed_reads_total', { target: 'replica' }),
    ).toBeGreaterThan(replicaReads);

    // The writer's own write is newer than the replica's replay: its listing comes from the
    // primary and shows it.
    const behindCaller = await assetsMetric('tessera_db_replica_fallbacks_total', {
      reason: 'behind_caller',
    });
    expect(await listedNames(writer)).toEqual(
      expect.arrayContaining(['before-pause.bin', 'while-paused.bin']),
    );
    expect(
      await assetsMetric('tessera_db_replica_fallbacks_total', { reason: 'behind_caller' }),
    ).toBeGreaterThan(behindCaller);

    await replica.resumeReplay();
    await eventually(
      async () => (await listedNames(reader)).includes('while-paused.bin'),
      REPLAY_TIMEOUT_MS,
    );
  }, 240_000);

  it('keeps another tenant out on the replica: gateway, subgraph and row-level security', async () => {
    expect(await listedNames(outsider, tenantB)).toEqual([]);
    const refused = await as(outsider, tenantA).call(`{ assets(first: 10) { nodes { name } } }`);
    expect(codeOf(refused)).toBe('FORBIDDEN');

    // An attacker with the assets role's own connection to the replica: RLS holds there too.
    const client = new Client({ connectionString: replica.urlOf(stack.db.urlAs('assets')) });
    await client.connect();
    try {
      const count = async (tenantId: string | null) => {
        await client.query('BEGIN');
        if (tenantId)
          await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        const { rows } = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM assets.assets',
        );
        await client.query('ROLLBACK');
        return rows[0]!.n;
      };
      expect(await count(tenantA)).toBeGreaterThan(0);
      expect(await count(tenantB)).toBe(0);
      expect(await count(null)).toBe(0);
      await expect(client.query('DELETE FROM assets.assets')).rejects.toThrow(/read-only/);
    } finally {
      await client.end();
    }
  });

  it('answers from the primary, with no error, once the replica is gone', async () => {
    const fallbacksBefore = await assetsMetric('tessera_db_replica_fallbacks_total');
    await replica.kill();
    await as(writer).mustCreate({ name: 'after-replica-loss.bin', sizeBytes: 10 });

    // Neither the reader (never behind) nor anyone else sees an error: the primary answers.
    expect(await listedNames(reader)).toContain('after-replica-loss.bin');
    expect(await listedNames(reader)).toContain('after-replica-loss.bin');
    expect(await assetsMetric('tessera_db_replica_fallbacks_total')).toBeGreaterThanOrEqual(
      fallbacksBefore + 2,
    );
    await eventually(async () => (await assetsMetric('tessera_db_replica_up')) === 0);
  });
});
