import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseConfig } from '../../../platform/config/load';
import { eventually } from '../../../testing/eventually';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../../testing/redis';
import { TEST_REDIS_URL } from '../../../testing/services';
import { webhookWorkerConfigShape } from '../webhooks/webhook-config';
import {
  claimEndpointSlot,
  createEndpointSlots,
  deferDelay,
  type EndpointSlots,
} from '../worker/webhooks/endpoint-admission';
import {
  EndpointBulkhead,
  type EndpointBulkheadOptions,
} from '../worker/webhooks/endpoint-bulkhead';
import { createWebhookMetrics } from '../worker/webhooks/webhook-metrics';

// The bulkhead's Lua against the real Redis, on a clock the tests move: leases, expiry, the
// cap shared by several clients (worker processes), and what happens without Redis.

const prefix = testRedisPrefix();
const clients: Redis[] = [];
let now = 1_000_000;
const clock = () => now;

function client(url = TEST_REDIS_URL): Redis {
  const created = new Redis(url, { maxRetriesPerRequest: 1 });
  clients.push(created);
  return created;
}

function bulkhead(
  options: Partial<EndpointBulkheadOptions> = {},
  redis: Redis = client(),
): EndpointBulkhead {
  return new EndpointBulkhead(redis, { prefix, cap: 2, leaseMs: 10_000, clock, ...options });
}

afterAll(async () => {
  await cleanupRedisPrefix(prefix);
  for (const redis of clients) dropRedis(redis);
});

describe('EndpointBulkhead', () => {
  it('admits up to the cap, then refuses until the oldest lease expires', async () => {
    const slots = bulkhead();
    const endpoint = randomUUID();
    const first = await slots.claim(endpoint);
    now += 3_000;
    const second = await slots.claim(endpoint);
    const third = await slots.claim(endpoint);
    expect(first).toMatchObject({ admitted: true, inFlight: 1 });
    expect(second).toMatchObject({ admitted: true, inFlight: 2 });
    // The first lease, taken 3 s ago for 10 s, is the one to free up first.
    expect(third).toEqual({ admitted: false, inFlight: 2, retryAfterMs: 7_000 });
    expect(await slots.inFlight(endpoint)).toBe(2);
  });

  it('gives a released slot to the next claim, and a second release frees nothing more', async () => {
    const slots = bulkhead();
    const endpoint = randomUUID();
    const first = await slots.claim(endpoint);
    await slots.claim(endpoint);
    if (!first.admitted) throw new Error('first claim refused');
    await first.release();
    await first.release();
    expect(await slots.inFlight(endpoint)).toBe(1);
    expect(await slots.claim(endpoint)).toMatchObject({ admitted: true, inFlight: 2 });
    expect(await slots.claim(endpoint)).toMatchObject({ admitted: false, inFlight: 2 });
  });

  it('frees the slots of a holder that never released them (a killed worker) once their lease ran out', async () => {
    const endpoint = randomUUID();
    const killed = bulkhead({}, client());
    await killed.claim(endpoint);
    await killed.claim(endpoint);
    const survivor = bulkhead({}, client());
    expect(await survivor.claim(endpoint)).toMatchObject({ admitted: false });
    now += 10_000;
    expect(await survivor.claim(endpoint)).toMatchObject({ admitted: true, inFlight: 1 });
  });

  it('shares one cap between processes and never over-admits under concurrent claims', async () => {
    const endpoint = randomUUID();
    const workers = [client(), client(), client()].map((redis) => bulkhead({ cap: 5 }, redis));
    const claims = await Promise.all(
      Array.from({ length: 60 }, (_, n) => workers[n % workers.length]!.claim(endpoint)),
    );
    expect(claims.filter((claim) => claim.admitted)).toHaveLength(5);
    expect(await workers[0]!.inFlight(endpoint)).toBe(5);
  });

  it('keeps endpoints apart: one at its cap does not hold another back', async () => {
    const slots = bulkhead({ cap: 1 });
    const slow = randomUUID();
    await slots.claim(slow);
    expect(await slots.claim(slow)).toMatchObject({ admitted: false });
    expect(await slots.claim(randomUUID())).toMatchObject({ admitted: true, inFlight: 1 });
  });

  it('lets the Redis key expire with the newest lease, so idle endpoints leave nothing behind', async () => {
    const redis = client();
    const endpoint = randomUUID();
    await bulkhead({ leaseMs: 60_000 }, redis).claim(endpoint);
    const ttl = await redis.pttl(`${prefix}:bulkhead:webhook-endpoint:${endpoint}`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('admits without a slot, coded, when Redis cannot answer', async () => {
    const dead = unreachableRedis();
    clients.push(dead);
    const claim = await bulkhead({ timeoutMs: 200 }, dead).claim(randomUUID());
    expect(claim).toMatchObject({ admitted: true, inFlight: null });
    expect('error' in claim && claim.error).toBeInstanceOf(Error);
    await expect(claim.admitted && claim.release()).resolves.toBeUndefined();
  });

  it('refuses a cap, a lease or an endpoint id that makes no sense', () => {
    const redis = client();
    expect(() => bulkhead({ cap: 0 }, redis)).toThrow(RangeError);
    expect(() => bulkhead({ cap: 1.5 }, redis)).toThrow(RangeError);
    expect(() => bulkhead({ leaseMs: 0 }, redis)).toThrow(RangeError);
    return expect(bulkhead({}, redis).claim('')).rejects.toThrow(RangeError);
  });
});

describe('claimEndpointSlot', () => {
  const registry = new Registry();
  const metrics = createWebhookMetrics(registry);
  let slots: EndpointSlots;

  beforeAll(() => {
    slots = createEndpointSlots(
      client(),
      {
        REDIS_PREFIX: prefix,
        WEBHOOK_TIMEOUT_MS: 1_000,
        WEBHOOK_ENDPOINT_CONCURRENCY: 1,
        WEBHOOK_ENDPOINT_DEFER_MS: 200,
      },
      registry,
      pino({ level: 'silent' }),
    );
  });

  /** A job in its first run that records where moveToDelayed sent it. */
  function fakeJob(): Job & { delayedUntil: number[] } {
    const delayedUntil: number[] = [];
    return {
      id: randomUUID(),
      attemptsStarted: 1,
      delayedUntil,
      moveToDelayed: (timestamp: number) => {
        delayedUntil.push(timestamp);
        return Promise.resolve();
      },
    } as unknown as Job & { delayedUntil: number[] };
  }

  const metricValue = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
    const sample = metric?.values.find((value) =>
      Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
    );
    return sample?.value;
  };

  it('defers a delivery over the cap to the delayed set, counted, without spending an attempt', async () => {
    const endpoint = randomUUID();
    const held = await claimEndpointSlot(fakeJob(), 'token', endpoint, slots, metrics);
    expect(await metricValue('tessera_webhook_endpoint_slots_held')).toBe(1);

    const job = fakeJob();
    const before = Date.now();
    await expect(claimEndpointSlot(job, 'token', endpoint, slots, metrics)).rejects.toBeInstanceOf(
      DelayedError,
    );
    expect(job.delayedUntil).toHaveLength(1);
    expect(job.delayedUntil[0]).toBeGreaterThanOrEqual(before + 100);
    // Half to one and a half times WEBHOOK_ENDPOINT_DEFER_MS.
    expect(job.delayedUntil[0]).toBeLessThanOrEqual(Date.now() + 300);
    expect(await metricValue('tessera_webhook_deliveries_total', { outcome: 'deferred' })).toBe(1);

    await held.release();
    await held.release();
    expect(await metricValue('tessera_webhook_endpoint_slots_held')).toBe(0);
    const next = await claimEndpointSlot(fakeJob(), 'token', endpoint, slots, metrics);
    await next.release();
  });
});

describe('claimEndpointSlot with an endpoint that answers fast', () => {
  const registry = new Registry();
  const metrics = createWebhookMetrics(registry);
  let slots: EndpointSlots;

  beforeAll(() => {
    const base = createEndpointSlots(
      client(),
      {
        REDIS_PREFIX: prefix,
        WEBHOOK_TIMEOUT_MS: 1_000,
        WEBHOOK_ENDPOINT_CONCURRENCY: 1,
        WEBHOOK_ENDPOINT_DEFER_MS: 2_000,
      },
      registry,
      pino({ level: 'silent' }),
    );
    // The test's clock: attempts in flight are as old as the test says.
    slots = { ...base, bulkhead: bulkhead({ cap: 1, leaseMs: base.leaseMs }) };
  });

  const job = () =>
    ({
      id: randomUUID(),
      attemptsStarted: 1,
      moveToDelayed: () => Promise.reject(new Error('deferred')),
    }) as unknown as Job;

  it('waits in the worker for the slot its own release frees, instead of deferring the job', async () => {
    const endpoint = randomUUID();
    const first = await claimEndpointSlot(job(), 'token', endpoint, slots, metrics);
    const second = claimEndpointSlot(job(), 'token', endpoint, slots, metrics);
    await eventually(() => slots.waiters.size === 1);
    await first.release();
    const admitted = await second;
    expect(await slots.bulkhead.inFlight(endpoint)).toBe(1);
    await admitted.release();
    expect(await slots.bulkhead.inFlight(endpoint)).toBe(0);
  });

  it('defers at once when the attempt in flight has been out longer than the pause (a slow receiver)', async () => {
    const endpoint = randomUUID();
    const first = await claimEndpointSlot(job(), 'token', endpoint, slots, metrics);
    // Out 3 s of its 6 s lease: longer than the 2 s pause.
    now += 3_000;
    await expect(claimEndpointSlot(job(), 'token', endpoint, slots, metrics)).rejects.toThrow(
      'deferred',
    );
    expect(slots.waiters.size).toBe(0);
    await first.release();
  });
});

describe('deferDelay', () => {
  it('doubles the pause with each run of the job, up to 32 times, spread by half either way', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 6, 7, 50].map((runs) => deferDelay(250, runs, middle))).toEqual([
      250, 500, 1_000, 8_000, 8_000, 8_000,
    ]);
    expect(deferDelay(250, 1, () => 0)).toBe(125);
    expect(deferDelay(250, 1, () => 0.999_999)).toBe(375);
    // A job BullMQ never counted as started still waits the base pause, never less than 1 ms.
    expect(deferDelay(250, 0, middle)).toBe(250);
    expect(deferDelay(1, 1, () => 0)).toBe(1);
  });
});

describe('WEBHOOK_ENDPOINT_CONCURRENCY and WEBHOOK_ENDPOINT_DEFER_MS', () => {
  it('default to a small cap and a quarter second', () => {
    const config = parseConfig(webhookWorkerConfigShape, {});
    expect(config.WEBHOOK_ENDPOINT_CONCURRENCY).toBe(0);
    expect(config.WEBHOOK_ENDPOINT_DEFER_MS).toBe(250);
  });

  it('refuse values out of range, naming the variable', () => {
    expect(() =>
      parseConfig(webhookWorkerConfigShape, { WEBHOOK_ENDPOINT_CONCURRENCY: '-1' }),
    ).toThrow(/WEBHOOK_ENDPOINT_CONCURRENCY/);
    expect(() =>
      parseConfig(webhookWorkerConfigShape, { WEBHOOK_ENDPOINT_DEFER_MS: 'soon' }),
    ).toThrow(/WEBHOOK_ENDPOINT_DEFER_MS/);
  });
});
