import {
  createTenant,
  latestSeq,
  mixedOperations,
  runMaintenanceJob,
  serviceEnv,
  startChaosStack,
  writtenSeqs,
} from '../../testing/chaos/fixtures';
import { watchReadiness } from '../../testing/chaos/readiness-watch';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisTopology,
} from '../../testing/chaos/redis-topologies';
import { countCodes, describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { send, startTraffic } from '../../testing/chaos/traffic';
import { settlesWithin } from '../../testing/bounded';
import { signUpUser } from '../../testing/members';
import type { TestStack } from '../../testing/stack';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';

// The REDIS_MODE switch, for real: the whole stack on a Redis Cluster (3 masters, 3 replicas)
// and on a Sentinel set (master, replica, 3 Sentinels), redis-servers this run owns. On each:
// BullMQ jobs run, subscriptions get every event through pub/sub, rate limits count; then the
// master (for the cluster, the one holding the queues' hash slot) is killed and a replica
// takes over, and all of that must still hold, nothing lost and no process restarted.

const USER_LIMIT = 10;

let topology: (RedisTopology & { slotMaster?: (key: string) => Promise<unknown> }) | undefined;
let stack: TestStack | undefined;
let limited: ServiceProcess | undefined;

afterEach(async () => {
  // Every step is bounded, so a stop that hangs (a drain waiting on a Redis that was killed)
  // can neither keep the hook past its timeout nor spare what this run spawned: whatever is
  // still running after the stops is killed, and the redis-servers always go.
  await stopStragglers();
  if (limited) {
    await settlesWithin(limited.stop('SIGTERM', 15_000), 20_000, 'the fail-closed gateway');
  }
  if (stack) await settlesWithin(stack.stop(), 60_000, 'the stack');
  for (const service of [limited, ...(stack?.processes.values() ?? [])]) {
    const child = service?.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (topology) await settlesWithin(topology.dispose(), 20_000, 'the redis-servers');
  [topology, stack, limited] = [undefined, undefined, undefined];
}, 150_000);

/** A fresh user's requests to a gateway limited to USER_LIMIT per minute: codes in order. */
async function rateLimitCodes(gateway: ServiceProcess, url: string): Promise<string[]> {
  const user = await signUpUser(url, 'limited');
  const codes: string[] = [];
  for (let n = 0; n < USER_LIMIT + 2; n += 1) {
    const outcome = await send(`${gateway.url}/graphql`, {
      query: '{ me { id } }',
      headers: user.headers(),
    });
    codes.push(outcome.code);
  }
  return codes;
}

const expectedLimits = [...Array<string>(USER_LIMIT).fill('OK'), 'RATE_LIMITED', 'RATE_LIMITED'];

async function survivesFailover(name: string, started: RedisTopology) {
  topology = started;
  stack = await startChaosStack({ env: started.env });
  limited = await spawnService('gateway', {
    env: { ...serviceEnv(stack, 'gateway'), GATEWAY_RATE_LIMIT_PER_USER: String(USER_LIMIT) },
  });
  const tenant = await createTenant(stack);
  if (started.env.REDIS_MODE === 'cluster') {
    await (started as Awaited<ReturnType<typeof startRedisCluster>>).slotMaster(
      `{${stack.redisPrefix}}`,
    );
  }
  const pids = [...stack.processes.values()].map((service) => service.child.pid);
  const readiness = watchReadiness(
    Object.fromEntries([...stack.processes].map(([process, service]) => [process, service.url])),
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
    concurrency: 3,
    next: mixedOperations(tenant),
  });

  const jobBefore = await runMaintenanceJob(stack);
  const limitsBefore = await rateLimitCodes(limited, stack.gatewayUrl);
  await traffic.answered(20);
  const failover = await started.failover();
  const promotedAt = Date.now();
  const readyAt = await readiness.allReady(30_000);
  const jobAfter = await runMaintenanceJob(stack);
  const limitsAfter = await rateLimitCodes(limited, stack.gatewayUrl);
  // Recovered: the last answers in a row all OK.
  await traffic.recovered(20, readyAt);
  const stats = await traffic.stop();
  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await subscriber.waitForAll(written).catch(() => undefined);
  await subscriber.stop();
  await readiness.stop();
  const duringFailover = stats.outcomes.filter(
    (outcome) => outcome.at >= promotedAt - failover.ms && outcome.at <= readyAt,
  );

  const lost = subscriber.tally.missing(written);
  reportScenario({
    scenario: name,
    eventsWritten: written.length,
    eventsReceived: subscriber.tally.seen.size,
    deliveries: subscriber.tally.deliveries,
    duplicates: subscriber.tally.duplicates,
    lost: lost.length,
    recoveryMs: Math.max(readyAt, stats.lastFailureAt ?? 0) - promotedAt,
    notes:
      `master killed, replica promoted in ${failover.ms} ms; during it ${describeCodes(countCodes(duringFailover))}; ` +
      `requests ${stats.total} (${describeCodes(stats.codes)}); jobs ${jobBefore}/${jobAfter}; ` +
      `rate limit ${USER_LIMIT}/min refused request ${limitsBefore.indexOf('RATE_LIMITED') + 1} before, ` +
      `${limitsAfter.indexOf('RATE_LIMITED') + 1} after; subscriber reconnects ${subscriber.reconnects}`,
  });

  expect([jobBefore, jobAfter]).toEqual(['completed', 'completed']);
  expect(limitsBefore).toEqual(expectedLimits);
  expect(limitsAfter).toEqual(expectedLimits);
  expect(lost).toEqual([]);
  expect(subscriber.tally.outOfOrder).toBe(0);
  expect(stats.uncoded).toEqual([]);
  expect(stats.serverErrorsWithoutRequestId).toEqual([]);
  expect([...stack.processes.values()].map((service) => service.child.pid)).toEqual(pids);
}

it('runs on a Redis Cluster and rides out the failover of the queues’ master', async () => {
  await survivesFailover('redis-cluster-failover', await startRedisCluster());
}, 120_000);

it('runs on Redis Sentinel and rides out the failover of its master', async () => {
  await survivesFailover('redis-sentinel-failover', await startRedisSentinel());
}, 120_000);
