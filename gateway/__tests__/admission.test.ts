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
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { TEST_REDIS_URL } from '../../testing/services';
import {
  publishMembershipChanged,
  roleCacheKey,
  roleGenerationKey,
} from '../../platform/contracts/tenancy/membership-events';
import { AccessTokenVerifier } from '../auth/access-tokens';
import { admitRequest, type AdmissionDeps } from '../auth/admission';
import type { ApiKeyAuthenticator } from '../auth/api-keys';
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

/** A client for a Redis that is not there, failing every command at once. */
function unreachable(): Redis {
  const dead = new Redis('redis://127.0.0.1:1', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  dead.on('error', () => undefined);
  return dead;
}

function deps(
  on: Redis,
  limits: { perTenant?: number; failMode?: 'open' | 'closed' } = {},
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
        GATEWAY_RATE_LIMIT_PER_IP: 1_000,
        GATEWAY_RATE_LIMIT_PER_USER: 1_000,
        GATEWAY_RATE_LIMIT_PER_TENANT: limits.perTenant ?? 1_000,
        API_KEY_RATE_LIMIT_PER_MINUTE: 1_000,
        GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: 1_000,
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

it('spends IP, user and tenant in one script call, beside one read of the generation, once the token and role are known', async () => {
  const edge = deps(redis);
  const jwt = await token(member);
  const first = await commands(redis, async () => {
    const { req, context } = request(jwt, '203.0.113.50');
    return admitRequest(req, context, edge);
  });
  // A token not seen yet spends the IP budget before its signature is checked.
  expect(first.scripts).toEqual([1, 1]);
  expect(first.result.tenantSpent).toBe(false);
  // The tenant check after parsing looks the role up (Redis) and keeps it in the process.
  await edge.roles.resolve(tenantId, member, undefined, {
    generation: first.result.tenantGeneration,
  });

  const second = await commands(redis, async () => {
    const { req, context } = request(jwt, '203.0.113.50');
    return admitRequest(req, context, edge);
  });
  expect(second.scripts).toEqual([3]);
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
  const edge = deps(redis);
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
    const dead = unreachable();
    try {
      const edge = deps(dead, { failMode: 'open' });
      const { req, context } = request(await token(member), '203.0.113.54');
      const admitted = await admitRequest(req, context, edge);
      expect(admitted.tenantGeneration).toBeUndefined();
      expect(admitted.request.principal).toEqual({ kind: 'user', id: member });
    } finally {
      dead.disconnect();
    }
  });

  it('fail-closed refuses RATE_LIMITED in the IP’s name before the token is checked', async () => {
    const dead = unreachable();
    try {
      const edge = deps(dead, { failMode: 'closed' });
      const { req, context } = request(await token(member), '203.0.113.55');
      const refused = await admitRequest(req, context, edge).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitExceededError);
      expect((refused as RateLimitExceededError).details).toMatchObject({ limit: 'ip' });
      expect(edge.authenticators.accessTokens.knows(await token(member))).toBe(false);
    } finally {
      dead.disconnect();
    }
  });
});
