import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheResult } from '../observability/cache-metrics';
import {
  publishTenantStatusChanged,
  TenantStatuses,
  type TenantStatusesOptions,
} from '../contracts/tenancy/tenant-status-cache';
import { eventually } from '../../testing/eventually';
import { freePort } from '../../testing/free-port';
import { internalClientAs } from '../../testing/internal-requests';
import { TEST_REDIS_URL } from '../../testing/services';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { startStack, type TestStack } from '../../testing/stack';

// The tenant status cache every service shares (platform/contracts/tenancy/tenant-status-cache.ts), against
// the real tenancy process and Redis: what it answers, how long it keeps an answer, and what
// makes it ask again.

let stack: TestStack;
let publisher: Redis;
const subscribers: Redis[] = [];
const started: TenantStatuses[] = [];
const [active, suspended, deleted, unknown] = [
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
];

async function statuses(overrides: Partial<TenantStatusesOptions> = {}) {
  const subscriber = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  subscribers.push(subscriber);
  const lookups: CacheResult[] = [];
  const cache = new TenantStatuses({
    internal: internalClientAs(stack.keys, 'assets', { tenancy: stack.url('tenancy') }),
    timeoutMs: 5_000,
    subscriber,
    prefix: stack.redisPrefix,
    countLookup: (result) => lookups.push(result),
    ...overrides,
  });
  await cache.start();
  started.push(cache);
  return { cache, subscriber, lookups };
}

async function newTenant(status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE'): Promise<string> {
  const id = randomUUID();
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name, status) VALUES ($1, $2, 'T', $3)`,
    [id, `t-${id.slice(0, 8)}`, status],
  );
  return id;
}

/** Changes the row behind every cache's back: only an announcement or a lookup tells them. */
const setRow = (id: string, status: 'ACTIVE' | 'SUSPENDED') =>
  stack.db.query(`UPDATE tenancy.tenants SET status = $2 WHERE id = $1`, [id, status]);

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['tenancy'] });
  publisher = new Redis(TEST_REDIS_URL);
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name, status, deleted_at) VALUES
       ($1, 'live', 'L', 'ACTIVE', NULL), ($2, 'paused', 'P', 'SUSPENDED', NULL),
       ($3, 'gone', 'G', 'ACTIVE', now())`,
    [active, suspended, deleted],
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(started.map((cache) => cache.stop()));
  for (const connection of [...subscribers, publisher]) connection?.disconnect();
  await stack?.stop();
});

describe('TenantStatuses', () => {
  it('answers each live tenant its status and null for an unknown or deleted one, in one lookup', async () => {
    const { cache, lookups } = await statuses();
    const answer = await cache.statusesOf([active, suspended.toUpperCase(), deleted, unknown]);
    expect(Object.fromEntries(answer)).toEqual({
      [active]: 'ACTIVE',
      [suspended]: 'SUSPENDED',
      [deleted]: null,
      [unknown]: null,
    });
    expect(lookups).toEqual(['miss', 'miss', 'miss', 'miss']);
    // All four remembered, null answers included.
    expect(await cache.statusOf(deleted)).toBeNull();
    expect(lookups.slice(4)).toEqual(['hit']);
  });

  it('keeps an answer until tenancy announces a change, then asks again', async () => {
    const { cache } = await statuses();
    const id = await newTenant();
    expect(await cache.statusOf(id)).toBe('ACTIVE');
    await setRow(id, 'SUSPENDED');
    expect(await cache.statusOf(id)).toBe('ACTIVE');
    await publishTenantStatusChanged(publisher, stack.redisPrefix, id);
    await eventually(async () => (await cache.statusOf(id)) === 'SUSPENDED');
  });

  it('is bounded: past maxEntries the least recently used answer is asked again', async () => {
    const { cache } = await statuses({ maxEntries: 2 });
    const [first, second, third] = [await newTenant(), await newTenant(), await newTenant()];
    await cache.statusOf(first);
    await cache.statusOf(second);
    await cache.statusOf(third);
    await setRow(first, 'SUSPENDED');
    await setRow(third, 'SUSPENDED');
    expect(await cache.statusOf(first)).toBe('SUSPENDED');
    expect(await cache.statusOf(third)).toBe('ACTIVE');
  });

  it('trusts nothing it cached while its subscriber was away (announcements may be lost)', async () => {
    const { cache, subscriber } = await statuses();
    const id = await newTenant();
    expect(await cache.statusOf(id)).toBe('ACTIVE');
    await setRow(id, 'SUSPENDED');
    subscriber.disconnect(true);
    await eventually(async () => (await cache.statusOf(id)) === 'SUSPENDED');
    await eventually(async () => subscriber.status === 'ready');
    // Resubscribed: announcements reach it again.
    await setRow(id, 'ACTIVE');
    await publishTenantStatusChanged(publisher, stack.redisPrefix, id);
    await eventually(async () => (await cache.statusOf(id)) === 'ACTIVE');
  });

  it('asks tenancy afresh in a new process, whatever an old one had cached', async () => {
    const before = await statuses();
    const id = await newTenant();
    expect(await before.cache.statusOf(id)).toBe('ACTIVE');
    await setRow(id, 'SUSPENDED');
    const after = await statuses();
    expect(await after.cache.statusOf(id)).toBe('SUSPENDED');
  });

  it('shares one lookup between concurrent questions about a tenant', async () => {
    const { cache, lookups } = await statuses();
    const id = await newTenant('SUSPENDED');
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.statusOf(id)));
    expect(answers).toEqual(Array.from({ length: 5 }, () => 'SUSPENDED'));
    expect(lookups).toEqual(['miss']);
  });

  it('answers SERVICE_UNAVAILABLE when tenancy cannot be reached, and remembers nothing', async () => {
    const { cache } = await statuses({
      internal: internalClientAs(stack.keys, 'assets', {
        tenancy: `http://127.0.0.1:${await freePort()}`,
      }),
      timeoutMs: 1_000,
    });
    await expect(cache.statusOf(active)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(cache.statusOf(active)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it("refuses a lookup signed with a key that is not the platform's", async () => {
    const stranger = generateTestServiceKeys();
    const { cache } = await statuses({
      internal: internalClientAs(stranger, 'assets', { tenancy: stack.url('tenancy') }),
    });
    await expect(cache.statusOf(active)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
