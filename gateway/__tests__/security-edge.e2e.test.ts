import { randomUUID } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { metricValue, postGraphQL, scrape, codeOf } from '../../testing/graphql-client';
import { addMember, signUpUser, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { connectWs } from '../../testing/ws-client';

// The gateway's security edge through the real processes: CORS, CSRF and cookie sessions,
// query limits, and rate limits shared by two gateways over one Redis, over HTTP and graphql-ws.
// The gateways trust one proxy hop (the first by count, the second by its loopback address), so
// each test is a client IP of its own, given in X-Forwarded-For as a proxy would append it.

const APP_ORIGIN = 'https://app.example.com';
const LIMITS = {
  GATEWAY_MAX_DEPTH: '8',
  GATEWAY_MAX_ALIASES: '4',
  GATEWAY_MAX_DIRECTIVES: '4',
  GATEWAY_MAX_TOKENS: '1000',
  GATEWAY_MAX_COST: '200',
  GATEWAY_RATE_LIMIT_PER_IP: '20',
  GATEWAY_RATE_LIMIT_PER_USER: '12',
  GATEWAY_RATE_LIMIT_PER_TENANT: '16',
  API_KEY_RATE_LIMIT_PER_MINUTE: '6',
  GATEWAY_WS_CONNECTS_PER_IP_PER_MINUTE: '4',
};

let stack: TestStack;
let secondGateway: ServiceProcess;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: { GATEWAY_TRUST_PROXY: '1', CORS_ALLOWED_ORIGINS: APP_ORIGIN, ...LIMITS },
  });
  secondGateway = await spawnService('gateway', {
    env: {
      ...stack.env,
      GATEWAY_TRUST_PROXY: 'loopback',
      SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql`,
      SUBGRAPH_TENANCY_URL: `${stack.url('tenancy')}/graphql`,
    },
  });
}, 120_000);

afterAll(async () => {
  await secondGateway?.stop();
  await stack?.stop();
});

let lastIp = 0;
/** A client IP no other test uses, so per-IP budgets never mix. */
function newIp(): string {
  lastIp += 1;
  return `198.51.100.${lastIp}`;
}

describe('CORS', () => {
  it('echoes an allowed origin, with credentials, and says the answer varies by origin', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ __typename }' },
      { origin: APP_ORIGIN, 'x-forwarded-for': newIp() },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('answers the preflight of an allowed origin with the methods, headers and max-age', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-csrf-token, x-tenant-id',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
      expect.arrayContaining([
        'content-type',
        'authorization',
        'x-api-key',
        'x-tenant-id',
        'x-request-id',
        'x-csrf-token',
        'apollo-require-preflight',
      ]),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('gives a foreign origin no Access-Control-Allow-Origin, and its preflight 403', async () => {
    const foreign = 'https://evil.example';
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ __typename }' },
      { origin: foreign, 'x-forwarded-for': newIp() },
    );
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');

    const preflight = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: foreign, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(await preflight.json()).toEqual({
      errors: [
        {
          message: 'This origin may not call the API',
          extensions: { code: 'FORBIDDEN', requestId: preflight.headers.get('x-request-id') },
        },
      ],
    });
  });
});

describe('CSRF', () => {
  const get = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}?query=${encodeURIComponent(query)}`, {
      headers: { 'x-forwarded-for': newIp(), ...headers },
    });

  it('refuses GET operations and simple-content-type POSTs that a browser sends unpreflighted', async () => {
    const mutation = await get('mutation { signOut }');
    expect(mutation.status).toBe(400);
    const body = (await mutation.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
    expect((await get('{ __typename }')).status).toBe(400);

    const plain = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-forwarded-for': newIp() },
      body: JSON.stringify({ query: 'mutation { signOut }' }),
    });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('serves GET queries with a preflight-forcing header, and never GET mutations', async () => {
    const query = await get('{ __typename }', { 'apollo-require-preflight': 'true' });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    const mutation = await get('mutation { signOut }', { 'apollo-require-preflight': 'true' });
    expect(mutation.status).toBe(405);
  });
});

describe('cookie sessions', () => {
  let user: TestUser;
  const csrf = randomUUID();
  beforeAll(async () => {
    user = await signUpUser(stack.gatewayUrl, 'cookie');
  });

  const me = (headers: Record<string, string>) =>
    postGraphQL<{ me: { id: string } }>(
      stack.gatewayUrl,
      { query: '{ me { id } }' },
      { 'x-forwarded-for': newIp(), ...headers },
    );

  it('refuses an access token cookie without the double-submit token', async () => {
    const response = await me({ cookie: `tessera_access=${user.accessToken}` });
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'A cookie session needs the x-csrf-token header, equal to the tessera_csrf cookie',
      extensions: { code: 'FORBIDDEN' },
    });
    const mismatch = await me({
      cookie: `tessera_access=${user.accessToken}; tessera_csrf=${csrf}`,
      'x-csrf-token': randomUUID(),
    });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.errors?.[0]?.message).toBe(
      'The x-csrf-token header does not match the tessera_csrf cookie',
    );
  });

  it('signs the user in from the cookie with a matching token', async () => {
    const response = await me({
      cookie: `tessera_csrf=${csrf}; tessera_access=${encodeURIComponent(user.accessToken)}`,
      'x-csrf-token': csrf,
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { id: user.id } });
  });

  it('prefers a Bearer header to the cookie', async () => {
    const other = await signUpUser(stack.gatewayUrl, 'bearer');
    const response = await me({
      cookie: `tessera_access=${user.accessToken}`,
      authorization: `Bearer ${other.accessToken}`,
    });
    expect(response.body.data).toEqual({ me: { id: other.id } });
  });
});

describe('query limits', () => {
  const send = (query: string) =>
    postGraphQL(stack.gatewayUrl, { query }, { 'x-forwarded-for': newIp() });

  it.each([
    [
      'depth',
      '{ __type(name: "Query") { fields { args { type { fields { args { type { enumValues { name } } } } } } } } }',
      { max: 8, actual: 9 },
    ],
    ['aliases', `{ ${[1, 2, 3, 4, 5].map((i) => `a${i}: me { id }`).join(' ')} }`, { max: 4 }],
    [
      'directives',
      '{ me @include(if: true) { id @skip(if: false) email @skip(if: false) displayName @skip(if: false) status @skip(if: false) } }',
      { max: 4 },
    ],
    ['cost', '{ users(first: 100) { nodes { id email } } }', { max: 200, actual: 301 }],
    ['tokens', `{ me { ${'id '.repeat(1000)} } }`, { max: 1000 }],
  ])(
    'refuses an operation over the %s limit with 400 and the limit named',
    async (limit, query, more) => {
      const response = await send(query);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        limit,
        ...more,
        requestId: response.headers.get('x-request-id'),
      });
    },
  );

  it('costs first: $n at the value sent, not its default, and a missing first at the largest page, over HTTP and graphql-ws', async () => {
    // users(first: n) { nodes { id email } } costs 1 + n × 3: 4 at the default, 301 at 100.
    const query = 'query ($n: Int = 1) { users(first: $n) { nodes { id email } } }';
    const expectCostRefusal = (extensions: Record<string, unknown> | undefined) =>
      expect(extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        limit: 'cost',
        max: 200,
        actual: 301,
      });
    const sent = await postGraphQL(
      stack.gatewayUrl,
      { query, variables: { n: 100 } },
      { 'x-forwarded-for': newIp() },
    );
    expect(sent.status).toBe(400);
    expectCostRefusal(sent.body.errors?.[0]?.extensions);
    const missing = await send('{ users { nodes { id email } } }');
    expect(missing.status).toBe(400);
    expectCostRefusal(missing.body.errors?.[0]?.extensions);
    // The default itself is cheap: refused only for what it asks (platform admins only).
    expect(codeOf(await send(query))).toBe('UNAUTHENTICATED');

    const socket = connectWs(stack.gatewayUrl, {}, { 'x-forwarded-for': newIp() });
    try {
      const overSocket = await run(socket, query, { n: 100 });
      expectCostRefusal(overSocket.errors[0]);
    } finally {
      await socket.dispose();
    }
  });

  it("passes Sandbox's introspection query", async () => {
    const response = await send(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toHaveProperty('__schema.queryType.name', 'Query');
  });
});

describe('rate limits', () => {
  const hello = (ip: string, url = stack.gatewayUrl, headers: Record<string, string> = {}) =>
    postGraphQL(url, { query: '{ __typename }' }, { 'x-forwarded-for': ip, ...headers });

  function expectRefused(
    response: Awaited<ReturnType<typeof hello>>,
    limit: 'ip' | 'user' | 'tenant',
  ) {
    expect(response.status).toBe(429);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limit,
      retryAfter: expect.any(Number),
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('refuses a burst from one IP over the per-IP limit, and counts the refusal', async () => {
    const ip = newIp();
    const before = metricValue(
      await scrape(stack.url('gateway')),
      'tessera_rate_limit_rejections_total',
      { limit: 'ip' },
    );
    const answers = await Promise.all(Array.from({ length: 20 }, () => hello(ip)));
    expect(answers.map((response) => response.status)).toEqual(Array(20).fill(200));
    expectRefused(await hello(ip), 'ip');
    expect((await hello(newIp())).status).toBe(200);
    const after = metricValue(
      await scrape(stack.url('gateway')),
      'tessera_rate_limit_rejections_total',
      { limit: 'ip' },
    );
    expect(after - before).toBe(1);
  });

  it('shares the per-IP budget between two gateways over one Redis', async () => {
    const ip = newIp();
    const second = `${secondGateway.url}/graphql`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hello(ip, i % 2 === 0 ? stack.gatewayUrl : second)),
    );
    expect(answers.map((response) => response.status)).toEqual(Array(20).fill(200));
    expectRefused(await hello(ip, second), 'ip');
    expectRefused(await hello(ip), 'ip');
  });

  it('limits a signed-in user across IPs', async () => {
    const user = await signUpUser(stack.gatewayUrl, 'busy');
    for (let i = 0; i < 12; i += 1) {
      expect((await hello(newIp(), stack.gatewayUrl, user.headers())).status).toBe(200);
    }
    expectRefused(await hello(newIp(), stack.gatewayUrl, user.headers()), 'user');
  });

  it('limits a tenant across its users, and only once they are let in', async () => {
    const tenantId = randomUUID();
    await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Busy')`, [
      tenantId,
      `busy-${tenantId.slice(0, 8)}`,
    ]);
    const [first, second, outsider] = await Promise.all([
      signUpUser(stack.gatewayUrl, 'first'),
      signUpUser(stack.gatewayUrl, 'second'),
      signUpUser(stack.gatewayUrl, 'outsider'),
    ]);
    await addMember(stack.db, tenantId, first.id, 'MEMBER');
    await addMember(stack.db, tenantId, second.id, 'VIEWER');
    const tenant = (user: TestUser) =>
      postGraphQL(
        stack.gatewayUrl,
        { query: '{ tenant { id } }' },
        { 'x-forwarded-for': newIp(), ...user.headers(tenantId) },
      );

    // Someone who is not a member cannot spend the tenant's budget by naming it.
    for (let i = 0; i < 5; i += 1) expect((await tenant(outsider)).status).toBe(403);
    for (let i = 0; i < 10; i += 1) expect((await tenant(first)).status).toBe(200);
    for (let i = 0; i < 6; i += 1) expect((await tenant(second)).status).toBe(200);
    // 16 for the tenant; `second` has used 6 of its own 12.
    expectRefused(await tenant(second), 'tenant');
    expect(codeOf(await tenant(first))).toBe('RATE_LIMITED');

    // A subscription is refused by the same budget with a coded answer, not a dropped socket.
    const ws = connectWs(stack.gatewayUrl, {
      authorization: `Bearer ${first.accessToken}`,
      tenantId,
    });
    try {
      const refused = ws.subscribe('subscription { events { id } }');
      await refused.ended;
      expect(JSON.stringify(refused.errors)).toMatch(/RATE_LIMITED/);
    } finally {
      await ws.dispose();
    }
  });
});

describe('the client IP behind a proxy', () => {
  const hello = (forwardedFor: string, url = stack.gatewayUrl) =>
    postGraphQL(url, { query: '{ __typename }' }, { 'x-forwarded-for': forwardedFor });

  it('is the entry the trusted proxy appended: a client writing its own X-Forwarded-For does not get a fresh per-IP budget', async () => {
    const client = newIp();
    // What a proxy forwards for a client that sent X-Forwarded-For: 192.0.2.<i> itself.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hello(`192.0.2.${i}, ${client}`)),
    );
    expect(answers.map((response) => response.status)).toEqual(Array(20).fill(200));
    const refused = await hello(`192.0.2.99, ${client}`);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limit: 'ip',
    });
  });

  it('is the same client for a gateway that trusts proxies by address, past every trusted hop', async () => {
    const client = newIp();
    const second = `${secondGateway.url}/graphql`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? hello(`192.0.2.${i}, ${client}`)
          : hello(`192.0.2.${i}, ${client}, 127.0.0.9`, second),
      ),
    );
    expect(answers.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(codeOf(await hello(`192.0.2.99, ${client}, 127.0.0.9`, second))).toBe('RATE_LIMITED');
  });

  it('is read the same way for graphql-ws upgrades: rotating the client-written entry does not reset the connection budget', async () => {
    const client = newIp();
    const sockets = Array.from({ length: 4 }, (_, i) =>
      connectWs(stack.gatewayUrl, {}, { 'x-forwarded-for': `192.0.2.${i}, ${client}` }),
    );
    try {
      for (const socket of sockets)
        expect((await run(socket, '{ __typename }')).errors).toEqual([]);
      const refused = connectWs(
        stack.gatewayUrl,
        {},
        { 'x-forwarded-for': `192.0.2.99, ${client}` },
      );
      expect(await refused.closed).toBe(4429);
      await refused.dispose();
    } finally {
      await Promise.all(sockets.map((socket) => socket.dispose()));
    }
  });
});

/** One operation over a socket: its data and its errors' extensions (graphql-ws's sink). */
async function run(
  socket: ReturnType<typeof connectWs>,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data: unknown[]; errors: Record<string, unknown>[] }> {
  const received = socket.subscribe(query, variables);
  await received.ended;
  const errors = received.errors.flatMap((error) =>
    (Array.isArray(error) ? error : [error]).map(
      (one: { extensions?: Record<string, unknown> }) =>
        one.extensions ?? { error: JSON.stringify(one) },
    ),
  );
  return { data: received.results, errors };
}

describe('rate limits over graphql-ws', () => {
  /** A socket whose operations keep running until one is refused; the refusal and the count. */
  async function runUntilRefused(socket: ReturnType<typeof connectWs>, query: string) {
    for (let served = 0; served < 50; served += 1) {
      const answer = await run(socket, query);
      if (answer.errors.length > 0) return { served, refusal: answer.errors[0]! };
    }
    throw new Error('no operation was refused');
  }

  /**
   * Runs `query` on the socket until one is refused: that is after `served` operations, with
   * RATE_LIMITED by `limit`, and the socket still serves (and refuses) the next one.
   */
  async function expectRefusedAfter(
    socket: ReturnType<typeof connectWs>,
    query: string,
    served: number,
    limit: string,
  ) {
    try {
      const result = await runUntilRefused(socket, query);
      expect(result.served).toBe(served);
      expect(result.refusal).toMatchObject({
        code: 'RATE_LIMITED',
        limit,
        retryAfter: expect.any(Number),
      });
      let closedWith: number | undefined;
      void socket.closed.then((code) => (closedWith = code));
      const again = await run(socket, query);
      expect(again.errors[0]).toMatchObject({ code: 'RATE_LIMITED' });
      expect(closedWith).toBeUndefined();
    } finally {
      await socket.dispose();
    }
  }

  it('spends the per-IP budget on every operation of a socket, answering RATE_LIMITED without closing it', async () => {
    const socket = connectWs(stack.gatewayUrl, {}, { 'x-forwarded-for': newIp() });
    await expectRefusedAfter(socket, '{ __typename }', 20, 'ip');
  });

  it("spends a signed-in user's budget on every operation", async () => {
    const user = await signUpUser(stack.gatewayUrl, 'ws-busy', { 'x-forwarded-for': newIp() });
    const socket = connectWs(
      stack.gatewayUrl,
      { authorization: `Bearer ${user.accessToken}` },
      { 'x-forwarded-for': newIp() },
    );
    // 12 a minute: the connection took one, its operations the rest.
    await expectRefusedAfter(socket, '{ me { id } }', 11, 'user');
  });

  it("spends an API key's budget on every operation", async () => {
    const tenant = await tenantWithOwner('ws-key');
    const key = await createApiKey(tenant.owner, tenant.id, ['members:read']);
    const socket = connectWs(
      stack.gatewayUrl,
      { apiKey: key, tenantId: tenant.id },
      { 'x-forwarded-for': newIp() },
    );
    // 6 a minute: the connection took one, its operations the rest.
    await expectRefusedAfter(socket, '{ tenant { id } }', 5, 'api_key');
  });
});

/** A tenant of its own (so no other test spends its budget) and its OWNER. */
async function tenantWithOwner(label: string): Promise<{ id: string; owner: TestUser }> {
  const id = randomUUID();
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, $3)`, [
    id,
    `${label}-${id.slice(0, 8)}`,
    label,
  ]);
  const owner = await signUpUser(stack.gatewayUrl, `${label}-owner`, {
    'x-forwarded-for': newIp(),
  });
  await addMember(stack.db, id, owner.id, 'OWNER');
  return { id, owner };
}

async function createApiKey(owner: TestUser, tenantId: string, scopes: string[]): Promise<string> {
  const created = await postGraphQL<{ createApiKey: { secret: string } }>(
    stack.gatewayUrl,
    {
      query: 'mutation ($s: [String!]!) { createApiKey(name: "k", scopes: $s) { secret } }',
      variables: { s: scopes },
    },
    { 'x-forwarded-for': newIp(), ...owner.headers(tenantId) },
  );
  if (!created.body.data) throw new Error(`createApiKey failed: ${created.text}`);
  return created.body.data.createApiKey.secret;
}
