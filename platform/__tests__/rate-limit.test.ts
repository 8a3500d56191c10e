import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { RateLimitedError } from '../errors/domain-errors';
import {
  SlidingWindowLimiter,
  type RateLimitOutcome,
  type SlidingWindowOptions,
} from '../rate-limit/sliding-window';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';

const prefix = testRedisPrefix();
let redis: Redis;
const clients: Redis[] = [];

function client(url = TEST_REDIS_URL): Redis {
  const created = new Redis(url, { maxRetriesPerRequest: 1 });
  clients.push(created);
  return created;
}

let names = 0;
/** A limiter with a name of its own, so tests never share a budget. */
function limiter(
  options: Partial<SlidingWindowOptions> = {},
  on: Redis = redis,
): SlidingWindowLimiter {
  names += 1;
  return new SlidingWindowLimiter(on, {
    prefix,
    name: `test-${names}`,
    limit: 5,
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
  await cleanupRedisPrefix(prefix);
  for (const each of clients) dropRedis(each);
});

describe('sliding-window rate limiter', () => {
  it('admits exactly the limit, then refuses with a retry-after inside the window', async () => {
    const limit = limiter({ limit: 5, windowMs: 60_000 });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const decision = await limit.consume('user-1');
      expect(decision).toMatchObject({ allowed: true, retryAfterSeconds: 0, degraded: false });
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);

    const refused = await limit.consume('user-1');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, degraded: false });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.retryAfterSeconds).toBe(Math.ceil(refused.retryAfterMs / 1000));
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // refusals take nothing, so they cannot push the retry time further out
    expect(await redis.zcard(`${prefix}:ratelimit:test-${names}:user-1`)).toBe(5);
  });

  it('keeps one sorted set per subject, expiring with the window', async () => {
    const limit = limiter({ windowMs: 30_000 });
    await limit.consume('user-ttl');
    const key = `${prefix}:ratelimit:test-${names}:user-ttl`;
    expect(await redis.type(key)).toBe('zset');
    // Redis deletes the key once the window has passed: nothing is left behind.
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('slides: units leave the window one by one, at their own time', async () => {
    const windowMs = 600;
    let now = 1_000_000;
    const limit = limiter({ limit: 3, windowMs, clock: () => now });
    expect((await limit.consume('s')).allowed).toBe(true); // A
    now += windowMs / 2;
    expect((await limit.consume('s', 2)).allowed).toBe(true); // B and C, half a window later

    const refused = await limit.consume('s');
    expect(refused.allowed).toBe(false);
    // the room comes back when A leaves, not when the newest unit does
    expect(refused.retryAfterMs).toBe(windowMs / 2);

    now += refused.retryAfterMs;
    const afterA = await limit.consume('s');
    expect(afterA).toMatchObject({ allowed: true, remaining: 0 });
    const stillFull = await limit.consume('s');
    expect(stillFull.allowed).toBe(false); // B and C are still inside the window
    expect(stillFull.retryAfterMs).toBe(windowMs / 2);

    now += windowMs;
    expect(await limit.consume('s')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('never admits more than the limit in total across two clients under a burst', async () => {
    const options = { name: 'shared-burst', limit: 10, windowMs: 60_000 };
    const first = limiter(options, client());
    const second = limiter(options, client());
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).consume('tenant-x')),
    );
    const allowed = decisions.filter((decision) => decision.allowed);
    expect(allowed).toHaveLength(10);
    // each admission saw its own count: the script ran atomically, never on a stale read
    expect(allowed.map((decision) => decision.remaining).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    for (const refused of decisions.filter((decision) => !decision.allowed)) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.degraded).toBe(false);
    }
  });

  it('charges a cost of several units at once, and only when it all fits', async () => {
    const limit = limiter({ limit: 10 });
    expect(await limit.consume('c', 4)).toMatchObject({ allowed: true, remaining: 6 });
    expect(await limit.consume('c', 4)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await limit.consume('c', 4)).toMatchObject({ allowed: false, remaining: 2 });
    expect(await limit.consume('c', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await redis.zcard(`${prefix}:ratelimit:test-${names}:c`)).toBe(10);
  });

  it('tells a large cost to wait for enough units to leave, not just the oldest', async () => {
    let now = 1_000_000;
    const limit = limiter({ limit: 4, clock: () => now });
    await limit.consume('w', 2);
    now += 20;
    await limit.consume('w', 2);
    const one = await limit.consume('w', 1);
    const three = await limit.consume('w', 3);
    expect(one.allowed).toBe(false);
    expect(three.allowed).toBe(false);
    // one unit fits when the first pair leaves; three need the second pair gone too
    expect(one.retryAfterMs).toBe(60_000 - 20);
    expect(three.retryAfterMs).toBe(60_000);
  });

  it('refuses a cost above the limit without charging anything', async () => {
    const limit = limiter({ limit: 3, windowMs: 10_000 });
    expect(await limit.consume('big', 4)).toMatchObject({
      allowed: false,
      remaining: 3,
      retryAfterMs: 10_000,
      retryAfterSeconds: 10,
    });
    expect(await limit.consume('big', 3)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a cost of %p as a programming error', async (cost) => {
    await expect(limiter().consume('x', cost)).rejects.toThrow(RangeError);
  });

  it('rejects an empty subject and bad options', async () => {
    await expect(limiter().consume('')).rejects.toThrow(RangeError);
    expect(() => limiter({ name: 'has:colon' })).toThrow(RangeError);
    expect(() => limiter({ name: '' })).toThrow(RangeError);
    expect(() => limiter({ limit: 0 })).toThrow(RangeError);
    expect(() => limiter({ limit: 2.5 })).toThrow(RangeError);
    expect(() => limiter({ windowMs: 0 })).toThrow(RangeError);
  });

  it('check() throws RateLimitedError with retryAfter once the limit is reached', async () => {
    const limit = limiter({ limit: 2 });
    await expect(limit.check('k')).resolves.toMatchObject({ allowed: true, remaining: 1 });
    await expect(limit.check('k')).resolves.toMatchObject({ allowed: true, remaining: 0 });
    const error = await limit.check('k').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    const retryAfter = (error as RateLimitedError).details.retryAfter as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('reset() gives a subject its whole budget back', async () => {
    const limit = limiter({ limit: 2 });
    await limit.consume('r', 2);
    expect((await limit.consume('r')).allowed).toBe(false);
    await limit.reset('r');
    expect(await redis.exists(`${prefix}:ratelimit:test-${names}:r`)).toBe(0);
    expect(await limit.consume('r')).toMatchObject({ allowed: true, remaining: 1 });
    await limit.reset('never-seen'); // resetting an unknown subject is fine
  });

  it('keeps subjects apart', async () => {
    const limit = limiter({ limit: 1 });
    expect((await limit.consume('alice')).allowed).toBe(true);
    expect((await limit.consume('alice')).allowed).toBe(false);
    expect((await limit.consume('bob')).allowed).toBe(true);
    // a subject that looks like a key path stays one subject
    expect((await limit.consume('alice:extra')).allowed).toBe(true);
  });

  it('keeps limiters with different names apart', async () => {
    const signIn = limiter({ limit: 1 });
    const graphql = limiter({ limit: 1 });
    expect((await signIn.consume('ip-1')).allowed).toBe(true);
    expect((await signIn.consume('ip-1')).allowed).toBe(false);
    expect((await graphql.consume('ip-1')).allowed).toBe(true);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const otherPrefix = testRedisPrefix();
    try {
      const ours = limiter({ name: 'same-name', limit: 1 });
      const theirs = limiter({ name: 'same-name', limit: 1, prefix: otherPrefix });
      expect((await ours.consume('u')).allowed).toBe(true);
      expect((await ours.consume('u')).allowed).toBe(false);
      expect((await theirs.consume('u')).allowed).toBe(true);
      expect(await redis.exists(`${otherPrefix}:ratelimit:same-name:u`)).toBe(1);
    } finally {
      await cleanupRedisPrefix(otherPrefix);
    }
  });

  it('reports every decision, e.g. to a prom-client counter', async () => {
    const registry = new Registry();
    const decisions = new Counter({
      name: 'tessera_rate_limit_decisions_total',
      help: 'Rate limiter decisions, by limiter and outcome.',
      labelNames: ['limiter', 'outcome'],
      registers: [registry],
    });
    const onDecision = (name: string, outcome: RateLimitOutcome) =>
      decisions.inc({ limiter: name, outcome });
    const limit = limiter({ name: 'counted', limit: 2, onDecision });
    for (let i = 0; i < 3; i += 1) await limit.consume('u');
    await limiter({ name: 'counted', failMode: 'open', onDecision }, unreachable()).consume('u');

    const values = (await decisions.get()).values.map(({ labels, value }) => [
      labels.outcome,
      value,
    ]);
    expect(Object.fromEntries(values)).toEqual({ allowed: 2, limited: 1, error: 1 });
    expect(await registry.metrics()).toContain(
      'tessera_rate_limit_decisions_total{limiter="counted",outcome="allowed"} 2',
    );
  });

  describe('when Redis cannot answer', () => {
    it('fail-open admits, marks the decision degraded and reports the error', async () => {
      const seen: [string, RateLimitOutcome, unknown][] = [];
      const limit = limiter(
        {
          limit: 5,
          failMode: 'open',
          onDecision: (name, outcome, error) => seen.push([name, outcome, error]),
        },
        unreachable(),
      );
      expect(await limit.consume('u', 2)).toEqual({
        allowed: true,
        remaining: 3,
        retryAfterMs: 0,
        retryAfterSeconds: 0,
        degraded: true,
      });
      await expect(limit.check('u')).resolves.toMatchObject({ allowed: true, degraded: true });
      expect(seen).toHaveLength(2);
      expect(seen[0]).toEqual([`test-${names}`, 'error', expect.any(Error)]);
    });

    it('fail-closed refuses, and check() throws RateLimitedError', async () => {
      const outcomes: RateLimitOutcome[] = [];
      const limit = limiter(
        {
          windowMs: 60_000,
          failMode: 'closed',
          onDecision: (_name, outcome) => outcomes.push(outcome),
        },
        unreachable(),
      );
      expect(await limit.consume('u')).toEqual({
        allowed: false,
        remaining: 0,
        retryAfterMs: 5_000,
        retryAfterSeconds: 5,
        degraded: true,
      });
      await expect(limit.check('u')).rejects.toBeInstanceOf(RateLimitedError);
      expect(outcomes).toEqual(['error', 'error']);
    });

    it('fail-closed never asks clients to wait longer than the window', async () => {
      const limit = limiter({ windowMs: 300, failMode: 'closed' }, unreachable());
      expect(await limit.consume('u')).toMatchObject({ retryAfterMs: 300, retryAfterSeconds: 1 });
    });

    it('reset() surfaces the error instead of pretending', async () => {
      await expect(limiter({ failMode: 'open' }, unreachable()).reset('u')).rejects.toThrow();
    });

    describe('because it hangs', () => {
      let silent: Server;
      const sockets: Socket[] = [];
      const hanging: Redis[] = [];

      beforeAll(async () => {
        // accepts connections and never answers, like a wedged server or a black-holed link
        silent = createServer((socket) => sockets.push(socket));
        await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      });

      afterAll(async () => {
        for (const each of hanging) each.disconnect();
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      });

      it.each(['open', 'closed'] as const)(
        'gives up after timeoutMs and decides by fail mode (%s)',
        async (failMode) => {
          const port = (silent.address() as { port: number }).port;
          // no ready check: the command itself goes out and waits for a reply that never comes
          const stuck = new Redis({
            host: '127.0.0.1',
            port,
            enableReadyCheck: false,
            retryStrategy: () => null,
          });
          stuck.on('error', () => undefined);
          hanging.push(stuck);
          const outcomes: RateLimitOutcome[] = [];
          const limit = limiter(
            { failMode, timeoutMs: 100, onDecision: (_name, outcome) => outcomes.push(outcome) },
            stuck,
          );
          const decision = await limit.consume('u');
          expect(decision).toMatchObject({ allowed: failMode === 'open', degraded: true });
          expect(outcomes).toEqual(['error']);
        },
      );
    });
  });
});
