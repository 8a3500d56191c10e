import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, parseConfig } from '../../platform/config/load';
import { anonymousContext } from '../../platform/context/request-context';
import { ForbiddenError } from '../../platform/errors/domain-errors';
import { cleanupRedisPrefix, testRedisPrefix } from '../../testing/redis';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { TEST_REDIS_URL } from '../../testing/services';
import { gatewayConfigRules, gatewayConfigShape, loadGatewayConfig } from '../config';
import { credentialFromCookies, parseCookies } from '../security/csrf';
import {
  EdgeRateLimits,
  RATE_LIMIT_REJECTIONS_METRIC,
  RateLimitExceededError,
} from '../security/rate-limits';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(gatewayConfigShape, env, gatewayConfigRules);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
}

describe('security edge configuration', () => {
  it('refuses * as an allowed origin while credentials are allowed, in one line', () => {
    expect(problems({ CORS_ALLOWED_ORIGINS: 'https://app.example.com,*' })).toEqual([
      'config error: CORS_ALLOWED_ORIGINS: * is refused while CORS_ALLOW_CREDENTIALS=true: list the exact origins',
    ]);
    expect(problems({ CORS_ALLOWED_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'false' })).toEqual([]);
  });

  it('takes exact origins only', () => {
    expect(problems({ CORS_ALLOWED_ORIGINS: 'https://app.example.com/' })).toEqual([
      expect.stringMatching(/^config error: CORS_ALLOWED_ORIGINS: each origin must be /),
    ]);
    expect(problems({ CORS_ALLOWED_ORIGINS: 'app.example.com' })).toHaveLength(1);
    expect(problems({ CORS_ALLOWED_ORIGINS: 'https://a.example.com, http://b.test:8080' })).toEqual(
      [],
    );
  });

  it('keeps /metrics off the public port in production: a metrics port or a token is required', () => {
    const production = { NODE_ENV: 'production', ...generateTestServiceKeys().env };
    expect(problems(production)).toEqual([
      'config error: GATEWAY_METRICS_PORT: production keeps /metrics off the public port: set GATEWAY_METRICS_PORT (a port Prometheus reaches and clients do not) or GATEWAY_METRICS_TOKEN (a bearer token for the scrape)',
    ]);
    expect(problems({ ...production, GATEWAY_METRICS_PORT: '9464' })).toEqual([]);
    expect(problems({ ...production, GATEWAY_METRICS_TOKEN: 't'.repeat(32) })).toEqual([]);
    expect(problems({ GATEWAY_METRICS_TOKEN: 'short' })).toEqual([
      'config error: GATEWAY_METRICS_TOKEN: must be at least 32 characters (got "[redacted]")',
    ]);
    expect(problems({ PORT: '4000', GATEWAY_METRICS_PORT: '4000' })).toEqual([
      'config error: GATEWAY_METRICS_PORT: must differ from PORT',
    ]);
    // Outside production the public port keeps serving it when nothing is set.
    expect(problems({ NODE_ENV: 'development' })).toEqual([]);
  });

  it('turns development tooling off in production unless set explicitly', () => {
    const secret = { ...generateTestServiceKeys().env, GATEWAY_METRICS_PORT: '9464' };
    const production = loadGatewayConfig({ ...secret, NODE_ENV: 'production' });
    expect(production).toMatchObject({
      GATEWAY_SANDBOX: false,
      GATEWAY_INTROSPECTION: false,
      CORS_ALLOWED_ORIGINS: [],
    });
    const development = loadGatewayConfig({ NODE_ENV: 'development' });
    expect(development).toMatchObject({
      GATEWAY_SANDBOX: true,
      GATEWAY_INTROSPECTION: true,
      CORS_ALLOWED_ORIGINS: ['http://localhost:3000', 'http://127.0.0.1:3000'],
    });
    expect(
      loadGatewayConfig({
        ...secret,
        NODE_ENV: 'production',
        GATEWAY_SANDBOX: 'true',
        CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      }),
    ).toMatchObject({
      GATEWAY_SANDBOX: true,
      GATEWAY_INTROSPECTION: false,
      CORS_ALLOWED_ORIGINS: ['https://app.example.com'],
    });
    expect(loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_INTROSPECTION: 'off' })).toMatchObject({
      GATEWAY_INTROSPECTION: false,
    });
  });
});

describe('cookie sessions', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  const csrf = 'c'.repeat(24);

  it('parses cookies, the first of a name winning', () => {
    expect(parseCookies('a=1; b="two"; a=3; c=%20x; bad name=1')).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'two'],
        ['c', ' x'],
      ]),
    );
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('takes the access token only with a matching double-submit token', () => {
    expect(credentialFromCookies(request({ cookie: 'other=1' }))).toBeNull();
    expect(
      credentialFromCookies(
        request({ cookie: `tessera_access=tok; tessera_csrf=${csrf}`, 'x-csrf-token': csrf }),
      ),
    ).toEqual({ token: 'tok' });
    const refused: Record<string, string>[] = [
      { cookie: `tessera_access=tok; tessera_csrf=${csrf}` },
      { cookie: 'tessera_access=tok', 'x-csrf-token': csrf },
      { cookie: `tessera_access=tok; tessera_csrf=${csrf}`, 'x-csrf-token': `${csrf}x` },
      { cookie: 'tessera_access=tok; tessera_csrf=short', 'x-csrf-token': 'short' },
    ];
    for (const headers of refused) {
      expect(() => credentialFromCookies(request(headers))).toThrow(ForbiddenError);
    }
  });
});

describe('graphql-ws connection limit', () => {
  const prefix = testRedisPrefix();
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const registry = new Registry();
  const limits = new EdgeRateLimits(
    redis,
    {
      REDIS_PREFIX: prefix,
      RATE_LIMIT_FAIL_MODE: 'open',
      GATEWAY_RATE_LIMIT_PER_IP: 100,
      GATEWAY_RATE_LIMIT_PER_USER: 100,
      GATEWAY_RATE_LIMIT_PER_TENANT: 100,
      API_KEY_RATE_LIMIT_PER_MINUTE: 100,
      GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: 3,
      GATEWAY_RATE_LIMIT_LEASE_MS: 30_000,
    },
    registry,
    pino({ level: 'silent' }),
  );

  afterAll(async () => {
    redis.disconnect();
    await cleanupRedisPrefix(prefix);
  });

  it('refuses connection attempts over the per-IP budget, apart from HTTP requests', async () => {
    for (let i = 0; i < 3; i += 1) await limits.wsConnect('203.0.113.7');
    const refused = await limits.wsConnect('203.0.113.7').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    expect((refused as RateLimitExceededError).details).toEqual({
      retryAfter: expect.any(Number),
      limit: 'ws_connect',
    });
    // Another IP, and HTTP requests from the same one, have budgets of their own.
    await expect(limits.wsConnect('203.0.113.8')).resolves.toBeUndefined();
    const http = { ...anonymousContext('r-1'), ip: '203.0.113.7' };
    await expect(limits.admit(http)).resolves.toBe(http);
    const metric = await registry.getSingleMetric(RATE_LIMIT_REJECTIONS_METRIC)!.get();
    expect(metric.values).toEqual([{ labels: { limit: 'ws_connect' }, value: 1 }]);
  });

  it('spends the budgets of one request together: a refusal by one spends none of the others', async () => {
    const tight = new EdgeRateLimits(
      redis,
      {
        REDIS_PREFIX: prefix,
        RATE_LIMIT_FAIL_MODE: 'closed',
        GATEWAY_RATE_LIMIT_PER_IP: 5,
        GATEWAY_RATE_LIMIT_PER_USER: 5,
        GATEWAY_RATE_LIMIT_PER_TENANT: 2,
        API_KEY_RATE_LIMIT_PER_MINUTE: 5,
        GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: 5,
        GATEWAY_RATE_LIMIT_LEASE_MS: 30_000,
      },
      new Registry(),
      pino({ level: 'silent' }),
    );
    const request = [
      ['ip', '203.0.113.20'],
      ['user', 'together-user'],
      ['tenant', 'together-tenant'],
    ] as const;
    await tight.spend(request);
    await tight.spend(request);
    const refused = await tight.spend(request).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    expect((refused as RateLimitExceededError).details.limit).toBe('tenant');
    // The IP and the user have spent 2 of their 5, not 3: three more each, then refused.
    for (let i = 0; i < 3; i += 1) await tight.spend(request.slice(0, 2));
    const ip = await tight.spend([request[0]]).catch((error: unknown) => error);
    expect((ip as RateLimitExceededError).details.limit).toBe('ip');
  });
});
