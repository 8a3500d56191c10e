import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ErrorCode } from '../../platform/errors/codes';
import { InternalCallError, InternalClient } from '../../platform/internal-calls/client';
import {
  publishMembershipChanged,
  roleCacheKey,
} from '../../platform/contracts/tenancy/membership-events';
import { metricValue, scrape } from '../../testing/graphql-client';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { dropRedis, unreachableRedis } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import { startStack, type TestStack } from '../../testing/stack';
import { RoleResolver, type RoleResolverOptions } from '../auth/role-resolver';

// The gateway's role lookup against a real tenancy process and a real Redis: what it answers,
// what it caches, what invalidates the cache, and how it fails when tenancy does not answer.

let stack: TestStack;
let redis: Redis;
const servers: Server[] = [];
const tenantId = randomUUID();
const suspendedId = randomUUID();
const owner = randomUUID();
const member = randomUUID();

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['tenancy'] });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name, status)
     VALUES ($1, 'resolver-co', 'Resolver', 'ACTIVE'), ($2, 'frozen-co', 'Frozen', 'SUSPENDED')`,
    [tenantId, suspendedId],
  );
  await stack.db.query(
    `INSERT INTO tenancy.memberships (tenant_id, user_id, role)
     VALUES ($1, $3, 'OWNER'), ($1, $4, 'MEMBER'), ($2, $3, 'ADMIN')`,
    [tenantId, suspendedId, owner, member],
  );
}, 120_000);

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  redis?.disconnect();
  await stack?.stop();
});

/** The gateway's client of tenancy: its key, unless another is given, at tenancy's URL. */
function tenancyClient(options: { url?: string; keys?: typeof stack.keys } = {}): InternalClient {
  return new InternalClient({
    signer: (options.keys ?? stack.keys).signer('gateway'),
    urls: { tenancy: options.url ?? stack.url('tenancy') },
    logger: pino({ level: 'silent' }),
  });
}

function resolver(options: Partial<RoleResolverOptions> = {}): RoleResolver {
  return new RoleResolver({
    internal: tenancyClient(),
    redis,
    // Each resolver gets its own keys, so tests do not see each other's cache.
    prefix: `${stack.redisPrefix}:${randomUUID().slice(0, 8)}`,
    logger: pino({ level: 'silent' }),
    ...options,
  });
}

/** Role lookups the tenancy process has served so far. */
async function lookups(): Promise<number> {
  return metricValue(await scrape(stack.url('tenancy')), 'tessera_http_requests_total', {
    route: 'internal',
  });
}

/** A server that accepts connections and never answers. */
async function silentServer(): Promise<string> {
  const server = createServer(() => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('answers kept in the gateway process', () => {
  /** A resolver on a Redis client of its own, whose GETs the test counts. */
  function counted() {
    const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const prefix = `${stack.redisPrefix}:${randomUUID().slice(0, 8)}`;
    const gets = jest.spyOn(client, 'get');
    return { roles: resolver({ redis: client, prefix }), gets, prefix, client };
  }

  it('answers from the kept answer while the generation read by the caller is current, reading nothing else', async () => {
    const { roles, gets, client } = counted();
    try {
      await roles.resolve(tenantId, owner);
      const generation = await roles.generation(tenantId);
      const before = { gets: gets.mock.calls.length, lookups: await lookups() };
      const answer = await roles.resolve(tenantId, owner, undefined, { generation });
      expect(answer).toEqual({ tenantStatus: 'ACTIVE', role: 'OWNER' });
      expect(gets.mock.calls.length).toBe(before.gets);
      expect(await lookups()).toBe(before.lookups);
    } finally {
      client.disconnect();
    }
  });

  it('answers from the kept answer, reading nothing, while the membership watch vouches for it', async () => {
    const { client, gets, prefix } = counted();
    let trusted = true;
    const roles = resolver({
      redis: client,
      prefix,
      watch: { version: 0, trusted: () => trusted },
    });
    try {
      await roles.resolve(tenantId, owner);
      const before = { gets: gets.mock.calls.length, lookups: await lookups() };
      // A subscription's check before a delivery: no marker read by the caller.
      expect(await roles.resolve(tenantId, owner)).toEqual({
        tenantStatus: 'ACTIVE',
        role: 'OWNER',
      });
      expect(gets.mock.calls.length).toBe(before.gets);
      expect(await lookups()).toBe(before.lookups);
      // Once the watch stops vouching (a heartbeat overdue), Redis is read again.
      trusted = false;
      expect((await roles.resolve(tenantId, owner)).role).toBe('OWNER');
      expect(gets.mock.calls.length).toBeGreaterThan(before.gets);
    } finally {
      client.disconnect();
    }
  });

  it('asks tenancy on a fresh lookup even while the watch vouches for the kept answer', async () => {
    const { client, prefix } = counted();
    const roles = resolver({ redis: client, prefix, watch: { version: 0, trusted: () => true } });
    try {
      await roles.resolve(tenantId, member);
      const before = await lookups();
      expect((await roles.resolve(tenantId, member, undefined, { fresh: true })).role).toBe(
        'MEMBER',
      );
      expect(await lookups()).toBe(before + 1);
    } finally {
      client.disconnect();
    }
  });

  it('drops a removed member at once: the new generation makes the kept answer stale', async () => {
    const { roles, prefix, client } = counted();
    const user = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'ADMIN')`,
      [tenantId, user],
    );
    try {
      expect((await roles.resolve(tenantId, user)).role).toBe('ADMIN');
      expect(roles.cached(tenantId, user)?.answer.role).toBe('ADMIN');
      await stack.db.query(
        `DELETE FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`,
        [tenantId, user],
      );
      // What tenancy calls after committing the removal, from another process.
      await publishMembershipChanged(redis, prefix, tenantId, user);
      const generation = await roles.generation(tenantId);
      expect(generation).not.toBe(roles.cached(tenantId, user)?.generation);
      const answer = await roles.resolve(tenantId, user, undefined, { generation });
      expect(answer).toEqual({ tenantStatus: 'ACTIVE', role: null });
    } finally {
      client.disconnect();
    }
  });

  it('forgets kept answers on invalidate(), and keeps none for ids that are not UUIDs', async () => {
    const { roles, client } = counted();
    try {
      await roles.resolve(tenantId, member);
      expect(roles.cached(tenantId, member)?.answer.role).toBe('MEMBER');
      await roles.invalidate(tenantId);
      expect(roles.cached(tenantId, member)).toBeUndefined();
      expect(roles.cached('not-a-uuid', member)).toBeUndefined();
      expect(await roles.generation('not-a-uuid')).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });

  it('reads no generation when Redis is away, so the caller takes the full path', async () => {
    const dead = unreachableRedis();
    try {
      expect(await resolver({ redis: dead }).generation(tenantId)).toBeUndefined();
    } finally {
      dropRedis(dead);
    }
  });
});

describe('RoleResolver', () => {
  it('answers the role and the tenant status from tenancy', async () => {
    const roles = resolver();
    await expect(roles.resolve(tenantId, owner)).resolves.toEqual({
      tenantStatus: 'ACTIVE',
      role: 'OWNER',
    });
    await expect(roles.resolve(tenantId.toUpperCase(), member)).resolves.toEqual({
      tenantStatus: 'ACTIVE',
      role: 'MEMBER',
    });
    await expect(roles.resolve(tenantId, randomUUID())).resolves.toEqual({
      tenantStatus: 'ACTIVE',
      role: null,
    });
    await expect(roles.resolve(suspendedId, owner)).resolves.toEqual({
      tenantStatus: 'SUSPENDED',
      role: 'ADMIN',
    });
    await expect(roles.resolve(randomUUID(), owner)).resolves.toEqual({
      tenantStatus: null,
      role: null,
    });
  });

  it('answers ids that are not UUIDs as no tenant, without asking tenancy', async () => {
    const before = await lookups();
    await expect(resolver().resolve('acme', owner)).resolves.toEqual({
      tenantStatus: null,
      role: null,
    });
    expect(await lookups()).toBe(before);
  });

  it('asks tenancy once, then answers from Redis, also on another pod', async () => {
    const prefix = `${stack.redisPrefix}:shared`;
    const first = resolver({ prefix });
    const before = await lookups();
    await first.resolve(tenantId, owner);
    expect(await lookups()).toBe(before + 1);
    await first.resolve(tenantId, owner);
    await resolver({ prefix }).resolve(tenantId, owner);
    expect(await lookups()).toBe(before + 1);
  });

  it('shares one lookup between concurrent identical calls', async () => {
    const roles = resolver();
    const before = await lookups();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => roles.resolve(tenantId, member)),
    );
    expect(new Set(answers.map((answer) => answer.role))).toEqual(new Set(['MEMBER']));
    expect(await lookups()).toBe(before + 1);
  });

  it('caches a negative answer for less time than a member’s', async () => {
    const prefix = `${stack.redisPrefix}:ttl`;
    const roles = resolver({ prefix, ttlSeconds: 60, negativeTtlSeconds: 10 });
    const stranger = randomUUID();
    await roles.resolve(tenantId, owner);
    await roles.resolve(tenantId, stranger);
    const positive = await redis.ttl(roleCacheKey(prefix, tenantId, owner));
    const negative = await redis.ttl(roleCacheKey(prefix, tenantId, stranger));
    expect(positive).toBeGreaterThan(10);
    expect(positive).toBeLessThanOrEqual(60);
    expect(negative).toBeGreaterThan(0);
    expect(negative).toBeLessThanOrEqual(10);
  });

  it('sees a role change after invalidate(tenant, user), not before', async () => {
    const user = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'ADMIN')`,
      [tenantId, user],
    );
    const roles = resolver();
    expect((await roles.resolve(tenantId, user)).role).toBe('ADMIN');
    await stack.db.query(
      `UPDATE tenancy.memberships SET role = 'VIEWER' WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, user],
    );
    expect((await roles.resolve(tenantId, user)).role).toBe('ADMIN'); // cached
    await roles.invalidate(tenantId, user);
    expect((await roles.resolve(tenantId, user)).role).toBe('VIEWER');
  });

  it('sees a suspension of the tenant after a tenant-wide change from tenancy', async () => {
    const id = randomUUID();
    await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'S')`, [
      id,
      `suspend-${id.slice(0, 8)}`,
    ]);
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'OWNER')`,
      [id, owner],
    );
    const prefix = `${stack.redisPrefix}:suspend`;
    const roles = resolver({ prefix });
    const stranger = randomUUID();
    expect(await roles.resolve(id, owner)).toEqual({ tenantStatus: 'ACTIVE', role: 'OWNER' });
    expect(await roles.resolve(id, stranger)).toEqual({ tenantStatus: 'ACTIVE', role: null });
    await stack.db.query(`UPDATE tenancy.tenants SET status = 'SUSPENDED' WHERE id = $1`, [id]);
    // What tenancy calls after committing a change, here for every member at once.
    await publishMembershipChanged(redis, prefix, id);
    expect(await roles.resolve(id, owner)).toEqual({ tenantStatus: 'SUSPENDED', role: 'OWNER' });
    expect(await roles.resolve(id, stranger)).toEqual({ tenantStatus: 'SUSPENDED', role: null });
  });

  it('drops the answer of a lookup that was in flight when the membership changed', async () => {
    const user = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'MEMBER')`,
      [tenantId, user],
    );
    // A proxy that holds tenancy's answer until the test has changed the membership.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const answer = await fetch(`${stack.url('tenancy')}${req.url}`, {
            method: 'POST',
            headers: req.headers as Record<string, string>,
            body: Buffer.concat(chunks),
          });
          const body = await answer.text();
          arrived();
          await released;
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
        })();
      });
    });
    servers.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const prefix = `${stack.redisPrefix}:race`;
    const slow = resolver({
      prefix,
      internal: tenancyClient({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` }),
    });

    const inFlight = slow.resolve(tenantId, user);
    await hasArrived; // tenancy has answered MEMBER; the answer is on its way
    await stack.db.query(`DELETE FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      user,
    ]);
    await publishMembershipChanged(redis, prefix, tenantId, user);
    release();
    expect((await inFlight).role).toBe('MEMBER'); // the caller that asked before the change
    // ...but the stale answer it cached is not used by anyone after.
    expect((await resolver({ prefix }).resolve(tenantId, user)).role).toBeNull();
  });

  it('asks tenancy on a fresh lookup, past the cache and a lookup in flight', async () => {
    const user = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'MEMBER')`,
      [tenantId, user],
    );
    const prefix = `${stack.redisPrefix}:fresh`;
    const roles = resolver({ prefix });
    expect((await roles.resolve(tenantId, user)).role).toBe('MEMBER');
    // Removed and committed; tenancy's cache invalidation has not run yet.
    await stack.db.query(`DELETE FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      user,
    ]);
    const before = await lookups();
    const joined = roles.resolve(tenantId, user); // in flight, answers from the cache
    const fresh = roles.resolve(tenantId, user, undefined, { fresh: true });
    const after = roles.resolve(tenantId, user); // joins the fresh lookup
    expect((await joined).role).toBe('MEMBER');
    expect((await fresh).role).toBeNull();
    expect((await after).role).toBeNull();
    // The fresh answer replaced the cached one, for every pod.
    expect((await resolver({ prefix }).resolve(tenantId, user)).role).toBeNull();
    expect(await lookups()).toBe(before + 1);
  });

  it('keeps answering from tenancy when Redis is down', async () => {
    const broken = unreachableRedis({ lazyConnect: true });
    // Refused, and no retry: the client has ended (disconnecting it again would only leave a
    // timer behind) and every command fails.
    await broken.connect().catch(() => undefined);
    expect(broken.status).toBe('end');
    await expect(resolver({ redis: broken }).resolve(tenantId, owner)).resolves.toEqual({
      tenantStatus: 'ACTIVE',
      role: 'OWNER',
    });
  });

  it('fails SERVICE_UNAVAILABLE when tenancy refuses the signature', async () => {
    const roles = resolver({ internal: tenancyClient({ keys: generateTestServiceKeys() }) });
    const failure = roles.resolve(tenantId, owner);
    await expect(failure).rejects.toBeInstanceOf(InternalCallError);
    await expect(failure).rejects.toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
      answered: { status: 401, code: 'UNAUTHENTICATED' },
    });
    await expect(failure).rejects.toThrow('tenancy could not answer the role lookup: HTTP 401');
  });

  it('fails SERVICE_UNAVAILABLE when tenancy does not answer in time', async () => {
    const roles = resolver({
      internal: tenancyClient({ url: await silentServer() }),
      timeoutMs: 300,
    });
    const failure = roles.resolve(tenantId, owner);
    await expect(failure).rejects.toBeInstanceOf(InternalCallError);
    await expect(failure).rejects.toThrow('within 300 ms');
  });

  it('answers cached pairs after tenancy stops, and fails SERVICE_UNAVAILABLE for others', async () => {
    const prefix = `${stack.redisPrefix}:down`;
    const roles = resolver({ prefix });
    await roles.resolve(tenantId, owner);
    await stack.processes.get('tenancy')!.stop();

    await expect(roles.resolve(tenantId, owner)).resolves.toEqual({
      tenantStatus: 'ACTIVE',
      role: 'OWNER',
    });
    const failure = roles.resolve(tenantId, member);
    await expect(failure).rejects.toBeInstanceOf(InternalCallError);
    await expect(failure).rejects.toThrow('tenancy could not answer the role lookup: unreachable');
    // A failure is not cached: the next call asks again (and fails again).
    await expect(roles.resolve(tenantId, member)).rejects.toBeInstanceOf(InternalCallError);
    expect(await redis.exists(roleCacheKey(prefix, tenantId, member))).toBe(0);
  });
});

describe('RoleResolver options', () => {
  it('refuses a TTL out of range', () => {
    expect(() => resolver({ ttlSeconds: 0 })).toThrow('ttlSeconds must be an integer in 1..3600');
    expect(() => resolver({ negativeTtlSeconds: 86_400 })).toThrow('negativeTtlSeconds');
  });
});
