import { Redis } from 'ioredis';
import { SlidingWindowSet, type WindowSetOptions } from '../rate-limit/window-set';
import { type RateLimitOutcome } from '../rate-limit/sliding-window';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';

type Name = 'ip' | 'user' | 'tenant';

const prefix = testRedisPrefix();
let redis: Redis;
const clients: Redis[] = [];

function client(): Redis {
  const created = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  clients.push(created);
  return created;
}

let slots = 0;
/** A set in a slot of its own, so tests never share a budget. */
function windows(
  options: Partial<WindowSetOptions<Name>> = {},
  on: Redis = redis,
): SlidingWindowSet<Name> {
  slots += 1;
  return new SlidingWindowSet<Name>(on, {
    prefix,
    slot: `test-${slots}`,
    limits: { ip: 5, user: 3, tenant: 4 },
    windowMs: 60_000,
    failMode: 'closed',
    ...options,
  });
}

/** A client for a Redis that is not there, failing every command at once. */
function unreachable(): Redis {
  const dead = unreachableRedis();
  clients.push(dead);
  return dead;
}

beforeAll(() => {
  redis = client();
});

afterAll(async () => {
  for (const each of clients) dropRedis(each);
  await cleanupRedisPrefix(prefix);
});

describe('sliding windows spent together', () => {
  it('takes from every window only when all have room, and names the one that refused', async () => {
    const set = windows();
    for (let i = 0; i < 3; i += 1) {
      expect(
        (
          await set.consume([
            ['ip', 'a'],
            ['user', 'u'],
          ])
        ).allowed,
      ).toBe(true);
    }
    const refused = await set.consume([
      ['ip', 'a'],
      ['user', 'u'],
    ]);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'user', degraded: false });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // The refusal spent nothing: the IP still has 2 of its 5.
    expect((await set.consume([['ip', 'a']])).allowed).toBe(true);
    expect((await set.consume([['ip', 'a']])).allowed).toBe(true);
    expect(await set.consume([['ip', 'a']])).toMatchObject({ allowed: false, refusedBy: 'ip' });
  });

  it('keeps subjects and windows apart', async () => {
    const set = windows();
    for (let i = 0; i < 3; i += 1) await set.consume([['user', 'same']]);
    expect((await set.consume([['user', 'same']])).allowed).toBe(false);
    expect((await set.consume([['user', 'other']])).allowed).toBe(true);
    expect((await set.consume([['tenant', 'same']])).allowed).toBe(true);
  });

  it('slides with the injected clock: a unit leaves the window at its own time', async () => {
    let now = 1_000_000;
    const set = windows({ clock: () => now });
    for (let i = 0; i < 4; i += 1) {
      expect((await set.consume([['tenant', 't']])).allowed).toBe(true);
      now += 1_000;
    }
    const refused = await set.consume([['tenant', 't']]);
    // The oldest unit was taken at 1 000 000 and leaves at 1 060 000; it is now 1 004 000.
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'tenant', retryAfterMs: 56_000 });
    now = 1_060_000;
    expect((await set.consume([['tenant', 't']])).allowed).toBe(true);
    expect((await set.consume([['tenant', 't']])).allowed).toBe(false);
  });

  it('never admits more than a limit in total across two clients under a burst', async () => {
    const first = windows();
    const second = new SlidingWindowSet<Name>(client(), {
      prefix,
      slot: `test-${slots}`,
      limits: { ip: 5, user: 3, tenant: 4 },
      windowMs: 60_000,
      failMode: 'closed',
    });
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? first : second).consume([
          ['ip', 'burst'],
          ['tenant', 'burst'],
        ]),
      ),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(4);
  });

  it('keeps every key of the set in one Cluster slot, under the deployment prefix', async () => {
    const set = windows();
    await set.consume([
      ['ip', '203.0.113.1'],
      ['user', 'u-1'],
    ]);
    const keys = (await redis.keys(`${prefix}:ratelimit:*`)).filter((key) =>
      key.includes(`{${prefix}:test-${slots}}`),
    );
    expect(keys.sort()).toEqual([
      `${prefix}:ratelimit:{${prefix}:test-${slots}}:ip:203.0.113.1`,
      `${prefix}:ratelimit:{${prefix}:test-${slots}}:user:u-1`,
    ]);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('refuses bad options and empty subjects', async () => {
    expect(() => windows({ limits: { ip: 0, user: 1, tenant: 1 } })).toThrow(RangeError);
    expect(() => windows({ slot: 'no spaces' })).toThrow(RangeError);
    expect(() => windows({ windowMs: 0 })).toThrow(RangeError);
    await expect(windows().consume([])).rejects.toThrow(RangeError);
    await expect(windows().consume([['ip', '']])).rejects.toThrow(RangeError);
  });

  it('loads the script again after SCRIPT FLUSH', async () => {
    const set = windows();
    expect((await set.consume([['ip', 'flush']])).allowed).toBe(true);
    await redis.script('FLUSH');
    expect((await set.consume([['ip', 'flush']])).allowed).toBe(true);
  });

  describe('when Redis cannot answer', () => {
    it('fail-open admits, marks the decision degraded and reports the windows', async () => {
      const reported: [readonly Name[], RateLimitOutcome][] = [];
      const set = windows(
        { failMode: 'open', onDecision: (names, outcome) => reported.push([names, outcome]) },
        unreachable(),
      );
      const decision = await set.consume([
        ['ip', 'a'],
        ['tenant', 't'],
      ]);
      expect(decision).toMatchObject({ allowed: true, degraded: true });
      expect(reported).toEqual([[['ip', 'tenant'], 'error']]);
    });

    it('fail-closed refuses in the name of the first window, for no longer than the window', async () => {
      const set = windows({ failMode: 'closed', windowMs: 2_000 }, unreachable());
      const decision = await set.consume([
        ['user', 'u'],
        ['tenant', 't'],
      ]);
      expect(decision).toMatchObject({ allowed: false, degraded: true, refusedBy: 'user' });
      expect(decision.retryAfterMs).toBe(2_000);
    });
  });
});
