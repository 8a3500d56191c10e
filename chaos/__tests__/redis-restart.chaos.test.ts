import {
  createTenant,
  latestSeq,
  mixedOperations,
  runMaintenanceJob,
  serviceEnv,
  startChaosStack,
  writtenSeqs,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import { startOwnedRedis, type OwnedRedis } from '../../testing/chaos/owned-redis';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { watchReadiness } from '../../testing/chaos/readiness-watch';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import { startTraffic } from '../../testing/chaos/traffic';
import type { TestStack } from '../../testing/stack';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';

// Redis goes away under traffic and comes back on the same port, as in a restart or a
// failover behind one address. Every process must notice (readiness false), keep answering
// with coded errors, and recover by itself: nothing is restarted but Redis.

/**
 * The outage lasts until each gateway's clients have had this many answers without Redis: the
 * fail-open gateway's wait on Redis's timeouts (one each), the fail-closed one's come at once.
 */
const OUTAGE_ANSWERS = 4;
const CLOSED_OUTAGE_ANSWERS = 20;

let redis: OwnedRedis;
let stack: TestStack;
/** A second gateway with RATE_LIMIT_FAIL_MODE=closed, beside the stack's (open, the default). */
let closedGateway: ServiceProcess;
let tenant: ChaosTenant;

beforeAll(async () => {
  redis = await startOwnedRedis();
  stack = await startChaosStack({ env: { REDIS_URL: redis.url, RATE_LIMIT_FAIL_MODE: 'open' } });
  closedGateway = await spawnService('gateway', {
    env: { ...serviceEnv(stack, 'gateway'), RATE_LIMIT_FAIL_MODE: 'closed' },
  });
  tenant = await createTenant(stack);
}, 120_000);

afterAll(async () => {
  await stopStragglers();
  await closedGateway?.stop();
  await stack?.stop();
  await redis?.dispose();
});

it('rides out a Redis restart: readiness false then true, no event lost, rate limits as configured, no process restarted', async () => {
  const pids = [...stack.processes.values(), closedGateway].map((service) => service.child.pid);
  const readiness = watchReadiness({
    ...Object.fromEntries([...stack.processes].map(([name, service]) => [name, service.url])),
    'gateway-closed': closedGateway.url,
  });
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
  // One client of the fail-closed gateway, tenantless, so only the IP and user limits apply.
  const closedTraffic = startTraffic({
    url: `${closedGateway.url}/graphql`,
    concurrency: 1,
    pauseMs: 50,
    next: () => ({ query: '{ me { id } }', headers: tenant.owner.headers() }),
  });

  await traffic.answered(40);
  const stoppedAt = Date.now();
  await redis.stop();
  await readiness.allNotReady(10_000);
  await Promise.all([
    traffic.answered(OUTAGE_ANSWERS),
    closedTraffic.answered(CLOSED_OUTAGE_ANSWERS),
  ]);
  const outageOpen = traffic.since(stoppedAt);
  const outageClosed = closedTraffic.since(stoppedAt);
  await redis.start();
  const repairedAt = Date.now();
  // How long until the subscriber has every event committed before Redis was back.
  const beforeRepair = await writtenSeqs(stack.db, tenant.tenantId, start);
  const backlogDelivered = subscriber
    .waitForAll(beforeRepair, 30_000)
    .then(() => Date.now() - repairedAt);
  const readyAt = await readiness.allReady(30_000);
  // Recovered: the last answers in a row all OK.
  await traffic.recovered(60, readyAt);
  const stats = await traffic.stop();
  const closedStats = await closedTraffic.stop();

  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await subscriber.waitForAll(written, 30_000).catch(() => undefined);
  const backlogMs = await backlogDelivered.catch(() => null);
  await subscriber.stop();
  const jobState = await runMaintenanceJob(stack);
  await readiness.stop();

  const lost = subscriber.tally.missing(written);
  const recoveredAt = Math.max(readyAt, stats.lastFailureAt ?? 0, closedStats.lastFailureAt ?? 0);
  reportScenario({
    scenario: 'redis-restart',
    eventsWritten: written.length,
    eventsReceived: subscriber.tally.seen.size,
    deliveries: subscriber.tally.deliveries,
    duplicates: subscriber.tally.duplicates,
    lost: lost.length,
    recoveryMs: recoveredAt - repairedAt,
    notes:
      `outage ${repairedAt - stoppedAt} ms; requests ${stats.total} (${describeCodes(stats.codes)}); ` +
      `during the outage: fail-open gateway ${describeCodes(countCodes(outageOpen))} (slowest ${slowest(outageOpen)} ms), ` +
      `fail-closed gateway ${describeCodes(countCodes(outageClosed))} (slowest ${slowest(outageClosed)} ms); ` +
      `subscriber reconnects ${subscriber.reconnects}, backlog delivered ${backlogMs} ms after repair; ` +
      `job after restart ${jobState}`,
  });

  // Every process said it was not ready, then ready again, and none was restarted.
  for (const name of [...stack.processes.keys(), 'gateway-closed']) {
    expect([name, readiness.sawNotReady(name), readiness.isReady(name)]).toEqual([
      name,
      true,
      true,
    ]);
  }
  expect([...stack.processes.values(), closedGateway].map((service) => service.child.pid)).toEqual(
    pids,
  );
  expect(
    [...stack.processes.values(), closedGateway].every(
      (service) => service.child.exitCode === null,
    ),
  ).toBe(true);

  // Nothing committed was lost, nothing arrived out of order.
  expect(lost).toEqual([]);
  expect(subscriber.tally.outOfOrder).toBe(0);
  expect(written.length).toBeGreaterThan(0);

  // Every failure was a coded answer with a request id, never a hang or a bare 5xx.
  for (const run of [stats, closedStats]) {
    expect(run.uncoded).toEqual([]);
    expect(run.serverErrorsWithoutRequestId).toEqual([]);
  }
  // Closed: refused with RATE_LIMITED while Redis is away. Open: never refused by a limit.
  expect(outageClosed.some((outcome) => outcome.code === 'RATE_LIMITED')).toBe(true);
  expect(stats.codes.RATE_LIMITED ?? 0).toBe(0);
  // BullMQ workers took jobs again on the restarted Redis.
  expect(jobState).toBe('completed');
}, 120_000);

function slowest(outcomes: { latencyMs: number }[]): number {
  return Math.max(0, ...outcomes.map((outcome) => outcome.latencyMs));
}
