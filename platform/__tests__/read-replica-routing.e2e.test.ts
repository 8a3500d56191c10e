import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { readDatabase, replicaUrlAs } from '../config/service';
import { runWithContext, anonymousContext, type RequestContext } from '../context/request-context';
import { createDataSource } from '../db/data-source';
import { ReadReplica } from '../db/read-replica';
import { ReplicaLag } from '../db/replica-lag';
import { WritePositions } from '../db/write-positions';
import { configProblems } from '../../testing/config-problems';
import { connectAs, createTestDatabase, type TestDatabase } from '../../testing/database';
import { eventually } from '../../testing/eventually';
import { freePort } from '../../testing/free-port';
import { metricValue } from '../../testing/graphql-client';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../testing/redis';
import { startTestReplica, type TestReplica } from '../../testing/replica';
import { TEST_REDIS_URL } from '../../testing/services';

/** Replay also carries every other test database's creation on a busy machine: allow for it. */
const REPLAY_TIMEOUT_MS = 90_000;

// The routing rules of reads that may lag, in process against a real streaming replica, real
// PostgreSQL roles and Redis; only the clock the lag is measured with is a test clock, so a
// lag beyond the bound needs no waiting.

describe('replica lag', () => {
  it('is the age of the oldest primary position the replica has not replayed', () => {
    let now = 1_000_000;
    const lag = new ReplicaLag(() => now);
    expect(lag.observe(100n, 100n)).toBe(0);
    expect(lag.observe(200n, 100n)).toBe(0);
    now += 4_000;
    expect(lag.observe(300n, 150n)).toBe(4);
    now += 1_000;
    // 200 replayed: the position seen at +4 s is now the oldest one missing.
    expect(lag.observe(300n, 250n)).toBe(1);
    now += 60_000;
    expect(lag.observe(300n, 300n)).toBe(0);
  });
});

describe('read replica configuration', () => {
  const problems = (env: Record<string, string>) => configProblems(readDatabase('assets'), env);

  it('is optional, and refuses a replica URL that connects as another role', () => {
    expect(problems({})).toEqual([]);
    expect(
      problems({ READ_DATABASE_URL: 'postgres://tessera_assets@replica:5432/tessera' }),
    ).toEqual([]);
    expect(problems({ READ_DATABASE_URL: 'postgres://postgres@replica:5432/tessera' })).toEqual([
      expect.stringMatching(/^config error: READ_DATABASE_URL: must connect as tessera_assets/),
    ]);
    expect(problems({ READ_DATABASE_URL: 'mysql://tessera_assets@replica/tessera' })).toEqual([
      expect.stringMatching(/^config error: READ_DATABASE_URL: must be a postgres/),
    ]);
    // The launcher's one replica URL, made each process's own role (and password).
    const own = replicaUrlAs(
      'postgres://postgres:owner-secret@replica:5433/tessera',
      'postgres://tessera_assets:assets-secret@primary:5432/tessera',
    );
    expect(own).toBe('postgres://tessera_assets:assets-secret@replica:5433/tessera');
    expect(problems({ READ_DATABASE_URL: own })).toEqual([]);
    expect(problems({ READ_DATABASE_MAX_LAG_SECONDS: '0' })).toEqual([
      expect.stringMatching(/^config error: READ_DATABASE_MAX_LAG_SECONDS: must be between 1/),
    ]);
  });
});

describe('routing reads against a real replica', () => {
  const tenantId = randomUUID();
  const reader: RequestContext = {
    ...anonymousContext('read-replica-test'),
    tenantId,
    principal: { kind: 'user', id: randomUUID() },
  };
  let db: TestDatabase;
  let replica: TestReplica;
  let primary: DataSource;
  let redis: Redis;
  const prefix = testRedisPrefix();
  const opened: ReadReplica[] = [];
  let now = Date.now();

  function replicaSource(url: string): DataSource {
    return createDataSource(
      {
        DATABASE_URL: url,
        DATABASE_POOL_MAX: 2,
        DATABASE_CONNECT_TIMEOUT_MS: 2_000,
        DATABASE_IDLE_TIMEOUT_MS: 10_000,
        DATABASE_STATEMENT_TIMEOUT_MS: 10_000,
        DATABASE_LOG_QUERIES: false,
        DATABASE_SLOW_QUERY_MS: 1_000,
      },
      { applicationName: 'tessera-test-replica', entities: [], logger: pino({ level: 'silent' }) },
    );
  }

  function routerOn(url: string, positions = new WritePositions(redis, prefix, 60_000)) {
    const registry = new Registry();
    const router = new ReadReplica({
      primary,
      replica: replicaSource(url),
      positions,
      maxLagSeconds: 10,
      registry,
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
    opened.push(router);
    const metric = async (name: string, labels: Record<string, string> = {}) =>
      metricValue(await registry.metrics(), name, labels);
    return { router, metric };
  }

  const countAssets = (router: ReadReplica) =>
    runWithContext(reader, () =>
      router.read(tenantId, async (manager) => {
        const rows = await manager.query<
          {
            n: number;
          }[]
        >('SELECT count(*)::int AS n FROM assets.assets');
        return rows[0]!.n;
      }),
    );
  const addAsset = () =>
    db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
       VALUES ($1, 'a.bin', 'application/octet-stream', 1, $2)`,
      [tenantId, randomUUID()],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    replica = await startTestReplica();
    primary = await connectAs(db, 'assets');
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(opened.map((router) => router.stop()));
    await primary?.destroy();
    await replica?.stop();
    await cleanupRedisPrefix(prefix);
    redis?.disconnect();
    await db?.drop();
  }, 60_000);

  it('sends reads to the primary while the replica is further behind than the bound', async () => {
    const { router, metric } = routerOn(replica.urlOf(db.urlAs('assets')));
    await addAsset();
    // The replica serves once it has replayed the test database and the row.
    await eventually(async () => {
      await router.check();
      return (await metric('tessera_db_replica_up')) === 1 && (await countAssets(router)) === 1;
    }, REPLAY_TIMEOUT_MS);
    expect(await metric('tessera_db_routed_reads_total', { target: 'replica' })).toBeGreaterThan(0);

    await replica.pauseReplay();
    await addAsset();
    await router.check();
    expect(await countAssets(router)).toBe(1);

    now += 11_000;
    await router.check();
    expect(await metric('tessera_db_replica_lag_seconds')).toBeGreaterThanOrEqual(11);
    expect(await metric('tessera_db_replica_up')).toBe(0);
    expect(await countAssets(router)).toBe(2);
    expect(await metric('tessera_db_replica_fallbacks_total', { reason: 'lagging' })).toBe(1);

    await replica.resumeReplay();
    await eventually(async () => {
      await router.check();
      return (await metric('tessera_db_replica_lag_seconds')) === 0;
    }, REPLAY_TIMEOUT_MS);
    expect(await metric('tessera_db_replica_up')).toBe(1);
  }, 240_000);

  it('reads from the primary when the caller wrote past the replica, or Redis cannot say', async () => {
    const positions = new WritePositions(redis, prefix, 60_000);
    const { router, metric } = routerOn(replica.urlOf(db.urlAs('assets')), positions);
    await router.check();
    await replica.pauseReplay();
    await addAsset();
    const [written] = await db.query<{ lsn: string }>(
      `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`,
    );
    await positions.record(`user:${reader.principal!.id}`, BigInt(written!.lsn));
    const onPrimary = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM assets.assets WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(await countAssets(router)).toBe(onPrimary[0]!.n);
    expect(await metric('tessera_db_replica_fallbacks_total', { reason: 'behind_caller' })).toBe(1);
    await replica.resumeReplay();

    // Redis gone: the caller's position is unknown, so the primary answers, without an error.
    const deadRedis = unreachableRedis({ lazyConnect: true });
    const blind = routerOn(
      replica.urlOf(db.urlAs('assets')),
      new WritePositions(deadRedis, prefix, 1),
    );
    await blind.router.check();
    expect(await countAssets(blind.router)).toBe(onPrimary[0]!.n);
    expect(
      await blind.metric('tessera_db_replica_fallbacks_total', { reason: 'position_unknown' }),
    ).toBe(1);
    dropRedis(deadRedis);
  });

  it('answers from the primary when the replica cannot be reached at all', async () => {
    const closed = new URL(db.urlAs('assets'));
    closed.port = String(await freePort());
    const { router, metric } = routerOn(closed.toString());
    await router.start();
    expect(await metric('tessera_db_replica_up')).toBe(0);
    expect(await countAssets(router)).toBeGreaterThan(0);
    expect(await metric('tessera_db_replica_fallbacks_total', { reason: 'unavailable' })).toBe(1);
  });

  it('keeps a read read-only on the primary too, and lets its own faults surface', async () => {
    const { router, metric } = routerOn(replica.urlOf(db.urlAs('assets')));
    await eventually(async () => {
      await router.check();
      return (await metric('tessera_db_replica_up')) === 1;
    });
    // A caller that never wrote: its reads go to the replica however far replay has got.
    const stranger = { ...reader, principal: { kind: 'user' as const, id: randomUUID() } };
    const readAs = (caller: RequestContext, sql: string) =>
      runWithContext(caller, () => router.read(tenantId, (manager) => manager.query(sql)));
    await expect(readAs(stranger, 'SELECT * FROM assets.no_such_table')).rejects.toThrow(
      /no_such_table/,
    );
    // A write slipped into a read fails on the replica: it is a bug, not a reason to retry.
    await expect(readAs(stranger, 'DELETE FROM assets.assets')).rejects.toThrow(/read-only/);
    expect(await metric('tessera_db_replica_fallbacks_total')).toBe(0);

    // The same read sent to the primary (the reader is behind: its write is not replayed)
    // is refused there as well, so a read behaves the same wherever it lands.
    await replica.pauseReplay();
    await addAsset();
    const [written] = await db.query<{ lsn: string }>(
      `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`,
    );
    await new WritePositions(redis, prefix, 60_000).record(
      `user:${reader.principal!.id}`,
      BigInt(written!.lsn),
    );
    await expect(readAs(reader, 'DELETE FROM assets.assets')).rejects.toThrow(/read-only/);
    expect(await metric('tessera_db_replica_fallbacks_total', { reason: 'behind_caller' })).toBe(1);
    await replica.resumeReplay();
    expect(await db.query('SELECT 1 FROM assets.assets')).not.toHaveLength(0);
  });
});
