import { Redis } from 'ioredis';
import { SlidingWindowSet, type WindowSetDecision } from '../../platform/rate-limit/window-set';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import { LeasedLimits, type SharedWindows } from '../security/leased-limits';

type Name = 'ip' | 'user';

/**
 * Windows that answer from memory: each subject has `room` units, and every call is recorded.
 * `degraded` answers as Redis being away in the given fail mode.
 */
function fakeWindows(room: Record<string, number>, degraded?: 'open' | 'closed') {
  const calls: { subject: string; cost: number }[] = [];
  const taken: Record<string, number> = {};
  const windows: SharedWindows<Name> = {
    consume: (subjects, cost) => {
      const [name, subject] = subjects[0]!;
      const key = `${name}:${subject}`;
      calls.push({ subject: key, cost });
      if (degraded) {
        return Promise.resolve(decision(degraded === 'open', true, name));
      }
      const left = (room[key] ?? 0) - (taken[key] ?? 0);
      if (cost > left) return Promise.resolve(decision(false, false, name));
      taken[key] = (taken[key] ?? 0) + cost;
      return Promise.resolve(decision(true, false, name));
    },
  };
  return { windows, calls, taken };
}

function decision(allowed: boolean, degraded: boolean, name: Name): WindowSetDecision<Name> {
  return {
    allowed,
    degraded,
    remaining: 0,
    retryAfterMs: allowed ? 0 : 7_000,
    retryAfterSeconds: allowed ? 0 : 7,
    ...(allowed ? {} : { refusedBy: name }),
  };
}

const limits = { ip: 1_000, user: 1_000 };
const ip = ['ip', '192.0.2.1'] as const;
const user = ['user', 'u1'] as const;

it('starts at a quarter of its cap and doubles a lease each time one is used up, up to the cap', async () => {
  const { windows, calls } = fakeWindows({ 'ip:192.0.2.1': 1_000 });
  const leased = new LeasedLimits(windows, { limits, maxUnits: 16, clock: () => 0 });
  for (let i = 0; i < 4 + 8 + 16 + 16; i += 1) {
    expect((await leased.spend([ip])).allowed).toBe(true);
  }
  expect(calls.map((call) => call.cost)).toEqual([4, 8, 16, 16]);
});

it('caps a lease at its share of the limit, so a small limit is decided by Redis each time', async () => {
  const { windows, calls } = fakeWindows({ 'ip:192.0.2.1': 100 });
  const leased = new LeasedLimits(windows, { limits: { ip: 49, user: 1 }, clock: () => 0 });
  for (let i = 0; i < 3; i += 1) await leased.spend([ip]);
  expect(calls.map((call) => call.cost)).toEqual([1, 1, 1]);
});

it('spends no expired lease, and shrinks the next one to what the last one used', async () => {
  const clock = { now: 0 };
  const { windows, calls } = fakeWindows({ 'ip:192.0.2.1': 1_000 });
  const leased = new LeasedLimits(windows, {
    limits,
    maxUnits: 16,
    leaseMs: 5_000,
    clock: () => clock.now,
  });
  for (let i = 0; i < 4 + 3; i += 1) await leased.spend([ip]); // 3 units of an 8-unit lease
  clock.now += 5_000;
  await leased.spend([ip]);
  expect(calls.map((call) => call.cost)).toEqual([4, 8, 3]);
});

it('retries a lease that does not fit as one unit, and refuses in the name of the window that has none', async () => {
  const { windows, calls } = fakeWindows({ 'ip:192.0.2.1': 1_000, 'user:u1': 5 });
  const leased = new LeasedLimits(windows, { limits, maxUnits: 16, clock: () => 0 });
  const answers = [];
  for (let i = 0; i < 7; i += 1) answers.push(await leased.spend([ip, user]));
  expect(answers.map((answer) => answer.allowed)).toEqual([
    true,
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  expect(answers[5]).toMatchObject({ refusedBy: 'user', retryAfterSeconds: 7 });
  // The user's: 4, then 8 does not fit and 1 does; then neither 2 nor 1 fits.
  expect(calls.filter((call) => call.subject === 'user:u1').map((call) => call.cost)).toEqual([
    4, 8, 1, 2, 1, 2, 1,
  ]);
});

it('has concurrent requests wait for one lease in flight rather than each taking one', async () => {
  const { windows, calls } = fakeWindows({ 'ip:192.0.2.1': 1_000 });
  const leased = new LeasedLimits(windows, { limits, maxUnits: 4, clock: () => 0 });
  await leased.spend([ip]);
  const answers = await Promise.all([leased.spend([ip]), leased.spend([ip])]);
  expect(answers.every((answer) => answer.allowed)).toBe(true);
  // The first lease is one unit; one lease of two served both requests after it.
  expect(calls.map((call) => call.cost)).toEqual([1, 2]);
});

it('admits without keeping a lease while Redis is away and fails open, and refuses when it fails closed', async () => {
  const open = fakeWindows({}, 'open');
  const leasedOpen = new LeasedLimits(open.windows, { limits, clock: () => 0 });
  for (let i = 0; i < 3; i += 1) {
    expect(await leasedOpen.spend([ip])).toMatchObject({ allowed: true, degraded: true });
  }
  expect(open.calls).toHaveLength(3);

  const closed = fakeWindows({}, 'closed');
  const leasedClosed = new LeasedLimits(closed.windows, { limits, clock: () => 0 });
  expect(await leasedClosed.spend([ip])).toMatchObject({ allowed: false, refusedBy: 'ip' });
});

it('never admits more than the shared window holds, against Redis', async () => {
  const prefix = testRedisPrefix();
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const limit = 100;
    const window = new SlidingWindowSet<Name>(redis, {
      prefix,
      slot: 'leases-test',
      limits: { ip: limit, user: limit },
      windowMs: 60_000,
      failMode: 'closed',
    });
    // Two processes spending one IP's budget, each with its own leases.
    const processes = [1, 2].map(
      () => new LeasedLimits(window, { limits: { ip: limit, user: limit }, share: 1 / 10 }),
    );
    let admitted = 0;
    for (let i = 0; i < 150; i += 1) {
      if ((await processes[i % 2]!.spend([ip])).allowed) admitted += 1;
    }
    expect(admitted).toBeLessThanOrEqual(limit);
    // Units taken and not spent are at most one lease per process.
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * (limit / 10));
  } finally {
    redis.disconnect();
    await cleanupRedisPrefix(prefix);
  }
});

/** A sliding window kept in memory on the test's clock: units taken at each instant. */
function clockedWindow(limit: number, windowMs: number, clock: { now: number }) {
  const log: { at: number; units: number }[] = [];
  const windows: SharedWindows<Name> = {
    consume: (subjects, cost) => {
      const inWindow = log
        .filter((entry) => entry.at > clock.now - windowMs)
        .reduce((sum, entry) => sum + entry.units, 0);
      if (inWindow + cost > limit) return Promise.resolve(decision(false, false, subjects[0]![0]));
      log.push({ at: clock.now, units: cost });
      return Promise.resolve(decision(true, false, subjects[0]![0]));
    },
  };
  return windows;
}

it('exceeds a window by at most one lease per process, with leases as long as the window', async () => {
  const windowMs = 60_000;
  const limit = 500;
  const share = 1 / 10;
  const clock = { now: 0 };
  const window = clockedWindow(limit, windowMs, clock);
  const processes = [1, 2, 3].map(
    () =>
      new LeasedLimits(window, {
        limits: { ip: limit, user: limit },
        share,
        leaseMs: windowMs,
        clock: () => clock.now,
      }),
  );
  // Bursts and pauses, spread over the processes, for five windows: leases are used up,
  // expire part spent, and are taken near the limit.
  const spent: number[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  while (clock.now < 5 * windowMs) {
    const burst = Math.floor(next() * 40);
    for (let i = 0; i < burst; i += 1) {
      const process = processes[Math.floor(next() * processes.length)]!;
      if ((await process.spend([ip])).allowed) spent.push(clock.now);
    }
    clock.now += Math.floor(next() * 3_000);
  }
  const bound = limit + processes.length * limit * share;
  const busiest = Math.max(
    ...spent.map((start) => spent.filter((at) => at >= start && at < start + windowMs).length),
  );
  expect(busiest).toBeLessThanOrEqual(bound);
  // The load pressed on the limit: windows were full, not merely quiet.
  expect(busiest).toBeGreaterThan(limit);
});
