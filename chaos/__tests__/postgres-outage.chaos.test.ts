import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  CHAOS_ENV,
  createTenant,
  latestSeq,
  mixedOperations,
  startChaosStack,
  unpublishedCount,
  writtenSeqs,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import { appendEvents } from '../../testing/journal-writes';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { watchReadiness } from '../../testing/chaos/readiness-watch';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import { startTraffic } from '../../testing/chaos/traffic';
import { connectAs } from '../../testing/database';
import { TEST_POSTGRES_URL } from '../../testing/services';
import type { TestStack } from '../../testing/stack';
import { waitFor } from '../../testing/ws-client';

// The stack's database refuses every connection for a while (ALLOW_CONNECTIONS false and every
// backend terminated), as when PostgreSQL restarts or fails over. Requests must fail fast with
// SERVICE_UNAVAILABLE, readiness must say so, and the outbox must publish everything committed
// before the cut once the database is back.

/** The outage lasts until the clients have had this many answers without the database. */
const OUTAGE_ANSWERS = 20;
const BURST = 300;
const CONNECT_TIMEOUT_MS = Number(CHAOS_ENV.DATABASE_CONNECT_TIMEOUT_MS);

let stack: TestStack;
let tenant: ChaosTenant;
let app: DataSource;
/** A superuser session on the stack's database opened before the cut: the only one left. */
let inside: Client;
/** A superuser session elsewhere (ALTER DATABASE cannot run in the database it changes). */
let admin: Client;

beforeAll(async () => {
  stack = await startChaosStack();
  tenant = await createTenant(stack);
  app = await connectAs(stack.db, 'tenancy', { name: 'chaos-writer' });
  inside = new Client({ connectionString: stack.db.ownerUrl });
  admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await Promise.all([inside.connect(), admin.connect()]);
}, 120_000);

afterAll(async () => {
  await stopStragglers();
  stack?.processes.get('worker')?.child.kill('SIGCONT');
  await admin?.query(`ALTER DATABASE ${stack.db.name} ALLOW_CONNECTIONS true`).catch(() => {});
  await Promise.all([admin?.end(), inside?.end()]);
  await app?.destroy().catch(() => {});
  await stack?.stop();
});

it('fails fast with coded errors while PostgreSQL is away, recovers by itself, and publishes every event committed before the cut', async () => {
  const pids = [...stack.processes.values()].map((service) => service.child.pid);
  const readiness = watchReadiness(
    Object.fromEntries([...stack.processes].map(([name, service]) => [name, service.url])),
  );
  await readiness.allReady();
  const start = await latestSeq(stack.db, tenant.tenantId);
  const subscriber = resumingSubscriber({
    urls: [stack.gatewayUrl],
    connectionParams: tenant.connectionParams,
    afterSeq: start,
  });
  const traffic = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 4,
    next: mixedOperations(tenant),
  });
  await traffic.answered(40);

  // A burst committed just before the cut, while the worker is frozen (SIGSTOP), so the relay
  // is certain to be cut off with all of it still to publish.
  const worker = stack.processes.get('worker')!.child;
  worker.kill('SIGSTOP');
  await appendEvents(app, tenant.tenantId, BURST);
  const cutAt = Date.now();
  await admin.query(`ALTER DATABASE ${stack.db.name} ALLOW_CONNECTIONS false`);
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`,
    [stack.db.name, (inside as unknown as { processID: number }).processID],
  );
  const [cut] = (
    await inside.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events.events WHERE published_at IS NULL`,
    )
  ).rows;
  // The gateway has no database of its own: it stays ready and answers for the others.
  const withDatabase = [...stack.processes.keys()].filter((name) => name !== 'gateway');
  worker.kill('SIGCONT');
  const notReadyAt = await readiness.allNotReady(10_000, withDatabase).catch(() => null);
  await traffic.answered(OUTAGE_ANSWERS);
  const duringOutage = traffic.since(cutAt);

  await admin.query(`ALTER DATABASE ${stack.db.name} ALLOW_CONNECTIONS true`);
  const repairedAt = Date.now();
  const backlog = await writtenSeqs(stack.db, tenant.tenantId, start);
  const backlogDelivered = subscriber
    .waitForAll(backlog, 30_000)
    .then(() => Date.now() - repairedAt);
  const readyAt = await readiness.allReady(30_000);
  // Recovered: the last answers in a row all OK.
  await traffic.recovered(60, readyAt);
  const stats = await traffic.stop();

  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await subscriber.waitForAll(written, 30_000).catch(() => undefined);
  await waitFor(async () => (await unpublishedCount(stack.db)) === 0, 30_000).catch(() => {});
  const unpublished = await unpublishedCount(stack.db);
  const backlogMs = await backlogDelivered.catch(() => null);
  await subscriber.stop();
  await readiness.stop();

  const lost = subscriber.tally.missing(written);
  const failures = duringOutage.filter((outcome) => outcome.code !== 'OK');
  const statuses = countCodes(failures.map((outcome) => ({ code: `HTTP ${outcome.status}` })));
  const slowestFailure = Math.max(0, ...failures.map((outcome) => outcome.latencyMs));
  reportScenario({
    scenario: 'postgres-outage',
    eventsWritten: written.length,
    eventsReceived: subscriber.tally.seen.size,
    deliveries: subscriber.tally.deliveries,
    duplicates: subscriber.tally.duplicates,
    lost: lost.length,
    recoveryMs: Math.max(readyAt, stats.lastFailureAt ?? 0) - repairedAt,
    notes:
      `outage ${repairedAt - cutAt} ms; ${cut?.n} of a ${BURST}-event burst unpublished at the cut, ${unpublished} after, all delivered ${backlogMs} ms after repair; ` +
      `during the outage ${describeCodes(countCodes(duringOutage))}, (${describeCodes(statuses)}), slowest failure ${slowestFailure} ms ` +
      `(connect timeout ${CONNECT_TIMEOUT_MS} ms); all not ready ${notReadyAt === null ? 'never' : `${notReadyAt - cutAt} ms`} after the cut; ` +
      `requests ${stats.total} (${describeCodes(stats.codes)}); subscriber reconnects ${subscriber.reconnects}`,
  });

  // Readiness followed the database, and no process had to be restarted.
  for (const name of withDatabase) {
    expect([name, readiness.sawNotReady(name), readiness.isReady(name)]).toEqual([
      name,
      true,
      true,
    ]);
  }
  expect([...stack.processes.values()].map((service) => service.child.pid)).toEqual(pids);
  expect([...stack.processes.values()].every((service) => service.child.exitCode === null)).toBe(
    true,
  );

  // Requests failed while it was away, fast and coded, never hung, never a bare 5xx.
  expect(failures.length).toBeGreaterThan(0);
  // ... as SERVICE_UNAVAILABLE (with retryAfter), not as a bug.
  expect(new Set(failures.map((outcome) => outcome.code))).toEqual(
    new Set(['SERVICE_UNAVAILABLE']),
  );
  expect(stats.uncoded).toEqual([]);
  expect(stats.serverErrorsWithoutRequestId).toEqual([]);
  expect(slowestFailure).toBeLessThan(CONNECT_TIMEOUT_MS + 3_000);

  // The outbox lost nothing: every committed event was published and reached the subscriber.
  expect(cut?.n).toBeGreaterThanOrEqual(BURST);
  expect(unpublished).toBe(0);
  expect(lost).toEqual([]);
  expect(subscriber.tally.outOfOrder).toBe(0);
}, 120_000);
