import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  membershipChangesChannel,
  publishMembershipChanged,
} from '../../platform/contracts/tenancy/membership-events';
import { eventually } from '../../testing/eventually';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import { MembershipWatch, type MembershipListener } from '../auth/membership-watch';

// The watch against a real Redis: heartbeats really travel through pub/sub; the clock that
// dates them and decides whether they are recent enough is the test's own.

const prefix = testRedisPrefix();
const logger = pino({ level: 'silent' });
const connections: Redis[] = [];
const watches: MembershipWatch[] = [];

function connection(): Redis {
  const redis = new Redis(TEST_REDIS_URL);
  connections.push(redis);
  return redis;
}

afterEach(async () => {
  await Promise.all(watches.splice(0).map((watch) => watch.stop()));
  for (const redis of connections.splice(0)) redis.disconnect();
});

afterAll(() => cleanupRedisPrefix(prefix));

/**
 * A watch on its own connections, its clock at `clock.now`, and what it told its listener,
 * with whether it trusted what is kept at that moment.
 */
async function startWatch(options: { heartbeatMs?: number; realClock?: boolean } = {}) {
  const clock = { now: 1_000 };
  const heard: string[] = [];
  const trustedWhenHeard: boolean[] = [];
  const subscriber = connection();
  const watch: MembershipWatch = new MembershipWatch({
    subscriber,
    publisher: connection(),
    prefix,
    logger,
    clock: options.realClock ? undefined : () => clock.now,
    leaseMs: 200,
    // Long by default: the one heartbeat sent at start is all there is, unless a test asks.
    heartbeatMs: options.heartbeatMs ?? 3_600_000,
  });
  const listener: MembershipListener = {
    tenantChanged: (tenantId) => heard.push(tenantId),
    allChanged: () => {
      heard.push('*');
      trustedWhenHeard.push(watch.trusted());
    },
  };
  watches.push(watch);
  await watch.start(listener);
  return { watch, clock, heard, trustedWhenHeard, subscriber };
}

it('trusts what is kept once its heartbeat came back, and until that heartbeat is a lease old', async () => {
  const { watch, clock, heard } = await startWatch();
  await eventually(() => watch.trusted(), 10_000, 'the first heartbeat back');
  // The first heartbeat of a connection forgets what was looked up before it.
  expect(heard).toEqual(['*']);
  clock.now += 199;
  expect(watch.trusted()).toBe(true);
  clock.now += 1;
  expect(watch.trusted()).toBe(false);
});

it('tells its listener of each announced change, and counts it', async () => {
  const { watch, heard } = await startWatch();
  await eventually(() => watch.trusted(), 10_000, 'the first heartbeat back');
  const before = watch.version;
  const tenantId = randomUUID();
  await connection().publish(membershipChangesChannel(prefix), tenantId);
  await eventually(() => heard.includes(tenantId), 10_000, 'the change heard');
  expect(watch.version).toBe(before + 1);
});

it('has applied a change by the time its announcer answers, or trusts nothing it keeps', async () => {
  // Real time here: the guarantee is about the announcer's wait and the heartbeats' age.
  const { watch, heard } = await startWatch({ heartbeatMs: 20, realClock: true });
  await eventually(() => watch.trusted(), 10_000, 'the first heartbeat back');
  for (let change = 0; change < 5; change += 1) {
    const tenantId = randomUUID();
    await publishMembershipChanged(connection(), prefix, tenantId, undefined, 200);
    expect({ applied: heard.includes(tenantId), trusted: watch.trusted() }).not.toEqual({
      applied: false,
      trusted: true,
    });
  }
  // Where the machine keeps up, the changes were simply applied.
  await eventually(() => heard.length >= 6, 10_000, 'every change heard');
});

it('trusts nothing from a lost connection until a heartbeat sent after it came back', async () => {
  const { watch, heard, trustedWhenHeard, subscriber } = await startWatch({ heartbeatMs: 20 });
  await eventually(() => watch.trusted(), 10_000, 'the first heartbeat back');
  heard.length = 0;
  trustedWhenHeard.length = 0;
  const before = watch.version;
  subscriber.disconnect(true);
  // Forgotten when the connection closed, and again at the first heartbeat after it came
  // back (what was looked up in between may predate a change never heard of); trusted after.
  await eventually(() => heard.length >= 2 && watch.trusted(), 10_000, 'trusted again');
  expect(heard).toEqual(['*', '*']);
  expect(trustedWhenHeard).toEqual([false, false]);
  expect(watch.version).toBe(before + 2);
});

it('lets trust lapse when it stops', async () => {
  const { watch } = await startWatch();
  await eventually(() => watch.trusted(), 10_000, 'the first heartbeat back');
  await watch.stop();
  expect(watch.trusted()).toBe(false);
});
