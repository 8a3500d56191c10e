import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { anonymousContext } from '../../platform/context/request-context';
import { InternalClient } from '../../platform/internal-calls/client';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { eventually } from '../../testing/eventually';
import {
  cleanupRedisPrefix,
  dropRedis,
  testRedisPrefix,
  unreachableRedis,
} from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import {
  publishMembershipChanged,
  roleCacheKey,
  roleGenerationKey,
} from '../../platform/contracts/tenancy/membership-events';
import { AccessTokenVerifier } from '../auth/access-tokens';
import { admitRequest, type AdmissionDeps } from '../auth/admission';
import type { ApiKeyAuthenticator } from '../auth/api-keys';
import { MembershipWatch } from '../auth/membership-watch';
import { RoleResolver } from '../auth/role-resolver';
import { EdgeRateLimits, RateLimitExceededError } from '../security/rate-limits';

// The HTTP edge's admission against a real Redis, real ES256 tokens served from a JWKS over
// HTTP, and role answers as tenancy leaves them in Redis (tenancy itself is unreachable here,
// so any lookup past the caches would fail the test): which budgets a request spends, in how
// many Redis round trips, and what holds when Redis is away.

const ISSUER = 'https://auth.tessera.test';
const prefix = testRedisPrefix();
const tenantId = randomUUID();
const member = randomUUID();
const outsider = randomUUID();
const revoked = new Set<string>();
let server: Server;
let jwksUrl: URL;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let redis: Redis;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  // What tenancy's answers look like in the shared role cache, under the tenant's generation.
  await publishMembershipChanged(redis, prefix, tenantId);
  const generation = await redis.get(roleGenerationKey(prefix, tenantId));
  for (const [user, role] of [
    [member, 'MEMBER'],
    [outsider, null],
  ] as const) {
    await redis.set(
      roleCacheKey(prefix, tenantId, user),
      JSON.stringify({ g: generation, s: 'ACTIVE', r: role }),
      'EX',
      600,
    );
  }
});

afterAll(async () => {
  redis.disconnect();
  await cleanupRedisPrefix(prefix);
  await new Promise((resolve) => server.close(resolve));
});

function token(sub: string, sid = randomUUID()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(privateKey);
}

function deps(
  on: Redis,
  limits: {
    perIp?: number;
    perTenant?: number;
    failMode?: 'open' | 'closed';
    watch?: MembershipWatch;
  } = {},
): AdmissionDeps {
  const logger = pino({ level: 'silent' });
  const refusedApiKeys = {
    authenticate: () => Promise.reject(new Error('no API key is sent in these tests')),
  } as unknown as ApiKeyAuthenticator;
  return {
    rateLimits: new EdgeRateLimits(
      on,
      {
        REDIS_PREFIX: prefix,
        RATE_LIMIT_FAIL_MODE: limits.failMode ?? 'open',
        GATEWAY_RATE_LIMIT_PER_IP: limits.perIp ?? 1_000,
        GATEWAY_RATE_LIMIT_PER_USER: 1_000,
        GATEWAY_RATE_LIMIT_PER_TENANT: limits.perTenant ?? 1_000,
        API_KEY_RATE_LIMIT_PER_MINUTE: 1_000,
        GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: 1_000,
        GATEWAY_RATE_LIMIT_LEASE_MS: 30_000,
      },
      new Registry(),
      logger,
    ),
    authenticators: {
      accessTokens: new AccessTokenVerifier(jwksUrl, ISSUER, {
        isRevoked: (sid) => revoked.has(sid),
      }),
      apiKeys: refusedApiKeys,
      counter: new Counter({
        name: 'tessera_gateway_authentications_total',
        help: 'Credentials checked at the gateway.',
        labelNames: ['method', 'outcome'],
        registers: [],
      }),
    },
    roles: new RoleResolver({
      // Nothing listens there: a lookup past the caches fails the request.
      internal: new InternalClient({
        signer: generateTestServiceKeys().signer('gateway'),
        urls: { tenancy: 'http://127.0.0.1:1' },
        logger,
      }),
      redis: on,
      prefix,
      logger,
      watch: limits.watch,
    }),
  };
}

function request(jwt: string, ip: string, tenant = tenantId) {
  const req = {
    headers: { authorization: `Bearer ${jwt}`, 'x-tenant-id': tenant },
  } as unknown as IncomingMessage;
  return { req, context: { ...anonymousContext(randomUUID()), tenantId: tenant, ip } };
}

/** Rate-limit script calls and GETs a Redis client sends while `work` runs. */
async function commands<T>(on: Redis, work: () => Promise<T>) {
  const scripts = jest.spyOn(on, 'evalsha');
  const gets = jest.spyOn(on, 'get');
  try {
    const result = await work();
    return {
      result,
      scripts: scripts.mock.calls.map((call) => call[1]),
      gets: gets.mock.calls.length,
    };
  } finally {
    scripts.mockRestore();
    gets.mockRestore();
  }
}

it('spends IP, user and tenant from leases, and reads the generation while no watch proves the kept role current', async () => {
  const edge = deps(redis);
  const jwt = await token(member);
  const admit = () =>
    commands(redis, async () => {
      const { req, context } = request(jwt, '203.0.113.50');
      return admitRequest(req, context, edge);
    });
  const first = await admit();
  // A token not seen yet spends the IP budget before its signature is checked: a lease each.
  expect(first.scripts).toEqual([1, 1]);
  expect(first.result.tenantSpent).toBe(false);
  // The tenant check after parsing looks the role up (Redis) and keeps it in the process.
  await edge.roles.resolve(tenantId, member, undefined, {
    generation: first.result.tenantGeneration,
  });

  // The IP's and user's leases cover it; the tenant's first lease is taken.
  const second = await admit();
  expect(second.scripts).toEqual([1]);
  expect(second.gets).toBe(1);
  expect(second.result).toMatchObject({
    tenantSpent: true,
    request: { principal: { id: member } },
  });
  const role = await commands(redis, () =>
    edge.roles.resolve(tenantId, member, undefined, {
      generation: second.result.tenantGeneration,
    }),
  );
  expect(role.result.role).toBe('MEMBER');
  expect(role.gets).toBe(0);
  // Every lease covers the next request: no script at all, only the generation marker.
  const covered = await admit();
  expect(covered.scripts).toEqual([]);
  expect(covered.gets).toBe(1);
});

describe('with a membership watch', () => {
  let subscriber: Redis;
  let watch: MembershipWatch;
  let edge: AdmissionDeps;

  beforeAll(async () => {
    subscriber = new Redis(TEST_REDIS_URL);
    watch = new MembershipWatch({
      subscriber,
      publisher: redis,
      prefix,
      logger: pino({ level: 'silent' }),
      // A clock that stands still: once a heartbeat is back, the watch stays trusted.
      clock: () => 0,
      heartbeatMs: 20,
    });
    edge = deps(redis, { watch });
    await watch.start(edge.roles.membershipListener);
    await eventually(() => watch.trusted(), 10_000, 'the watch trusted');
  });

  afterAll(async () => {
    await watch.stop();
    subscriber.disconnect();
  });

  it('reads no generation for a role it keeps, until a change to the tenant drops it', async () => {
    // A tenant of its own: the change announced below makes its cached answers stale.
    const watched = randomUUID();
    await redis.set(
      roleCacheKey(prefix, watched, member),
      JSON.stringify({ g: null, s: 'ACTIVE', r: 'MEMBER' }),
      'EX',
      600,
    );
    const jwt = await token(member);
    const admit = () =>
      commands(redis, async () => {
        const { req, context } = request(jwt, '203.0.113.56', watched);
        return admitRequest(req, context, edge);
      });
    const first = await admit();
    await edge.roles.resolve(watched, member, undefined, {
      generation: first.result.tenantGeneration,
    });
    const kept = await admit();
    expect(kept.gets).toBe(0);
    expect(kept.result.tenantSpent).toBe(true);

    const before = watch.version;
    await publishMembershipChanged(redis, prefix, watched);
    await eventually(() => watch.version > before, 10_000, 'the change heard');
    const afterChange = await admit();
    expect(afterChange.gets).toBe(1);
    expect(afterChange.result.tenantSpent).toBe(false);
  });
});

it('spends no tenant budget for a caller its kept answer keeps out of the tenant', async () => {
  const edge = deps(redis, { perTenant: 1 });
  const jwt = await token(outsider);
  for (let i = 0; i < 3; i += 1) {
    const { req, context } = request(jwt, '203.0.113.51');
    const admitted = await admitRequest(req, context, edge);
    expect(admitted.tenantSpent).toBe(false);
    await edge.roles.resolve(tenantId, outsider, undefined, {
      generation: admitted.tenantGeneration,
    });
  }
});

it('refuses in the tenant’s name at the edge once a member exhausted its budget', async () => {
  const other = randomUUID();
  await redis.set(
    roleCacheKey(prefix, other, member),
    JSON.stringify({ g: null, s: 'ACTIVE', r: 'MEMBER' }),
    'EX',
    600,
  );
  const edge = deps(redis, { perTenant: 2 });
  const jwt = await token(member);
  const admit = () => {
    const { req, context } = request(jwt, '203.0.113.52', other);
    return admitRequest(req, context, edge);
  };
  await admit();
  await edge.roles.resolve(other, member, undefined, { generation: null });
  // The first request's tenant unit is spent after parsing, as the role was not kept yet.
  await edge.rateLimits.tenant({ ...anonymousContext('r'), tenantId: other });
  expect((await admit()).tenantSpent).toBe(true);
  const refused = await admit().catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(RateLimitExceededError);
  expect((refused as RateLimitExceededError).details).toMatchObject({ limit: 'tenant' });
});

it('spends the IP budget of a known token that was revoked since, and refuses it', async () => {
  // A limit this small leases one unit at a time: each spend is a script call.
  const edge = deps(redis, { perIp: 10 });
  const sid = randomUUID();
  const jwt = await token(member, sid);
  const { req, context } = request(jwt, '203.0.113.53');
  await admitRequest(req, context, edge);
  revoked.add(sid);
  const spent = await commands(redis, () =>
    admitRequest(req, context, edge).catch((error: unknown) => error),
  );
  expect(spent.result).toMatchObject({ code: 'UNAUTHENTICATED' });
  expect(spent.scripts).toEqual([1]);
});

describe('with Redis away', () => {
  it('fail-open admits, and leaves the role to a full lookup (no generation was read)', async () => {
    const dead = unreachableRedis();
    try {
      const edge = deps(dead, { failMode: 'open' });
      const { req, context } = request(await token(member), '203.0.113.54');
      const admitted = await admitRequest(req, context, edge);
      expect(admitted.tenantGeneration).toBeUndefined();
      expect(admitted.request.principal).toEqual({ kind: 'user', id: member });
    } finally {
      dropRedis(dead);
    }
  });

  it('fail-closed refuses RATE_LIMITED in the IP’s name before the token is checked', async () => {
    const dead = unreachableRedis();
    try {
      const edge = deps(dead, { failMode: 'closed' });
      const { req, context } = request(await token(member), '203.0.113.55');
      const refused = await admitRequest(req, context, edge).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitExceededError);
      expect((refused as RateLimitExceededError).details).toMatchObject({ limit: 'ip' });
      expect(edge.authenticators.accessTokens.knows(await token(member))).toBe(false);
    } finally {
      dropRedis(dead);
    }
  });
});
