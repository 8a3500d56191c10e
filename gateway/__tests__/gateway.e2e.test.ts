import { randomUUID } from 'node:crypto';
import { anonymousContext } from '../../platform/context/request-context';
import { eventually } from '../../testing/eventually';
import { startStack, type TestStack } from '../../testing/stack';
import { metricValue, postGraphQL, scrape } from '../../testing/graphql-client';
import { signedHeaders, type SignAs } from '../../testing/internal-requests';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { signUpMember, signUpUser, type TestUser } from '../../testing/members';
import { SUBGRAPH_NAMES } from '../../platform/paths';
import { connectWs } from '../../testing/ws-client';

// The whole platform as real processes (gateway, five subgraphs, worker) on a database of its
// own, driven over HTTP like a frontend would.

const tenantA = randomUUID();
const tenantB = randomUUID();
const owners = [randomUUID(), randomUUID(), randomUUID()];
const assetsOfA = [randomUUID(), randomUUID(), randomUUID()];
const assetOfB = randomUUID();

let stack: TestStack;
let stopped = false;
/** An ADMIN of tenant A, and a user who belongs to no tenant. */
let member: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  // Every process is expected ok: a probe may take longer than 1.5 s on a loaded machine.
  stack = await startStack({ worker: true, env: { PROBE_TIMEOUT_MS: '5000' } });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')`,
    [tenantA, tenantB],
  );
  for (const [index, id] of owners.entries()) {
    await stack.db.query(`INSERT INTO auth.users (id, email) VALUES ($1, $2)`, [
      id,
      `owner${index}@example.com`,
    ]);
  }
  for (const [index, id] of assetsOfA.entries()) {
    await stack.db.query(
      `INSERT INTO assets.assets (id, tenant_id, name, content_type, size_bytes, owner_id)
       VALUES ($1, $2, $3, 'text/plain', 10, $4)`,
      [id, tenantA, `file-${index}.txt`, owners[index]],
    );
  }
  await stack.db.query(
    `INSERT INTO assets.assets (id, tenant_id, name, content_type, size_bytes, owner_id)
     VALUES ($1, $2, 'secret.txt', 'text/plain', 10, $3)`,
    [assetOfB, tenantB, owners[0]],
  );
  await stack.db.query(
    `INSERT INTO jobs.webhook_endpoints (tenant_id, url, event_types, secret_ciphertext) VALUES ($1, 'https://hooks.example.com/a', '{asset.created}', 'v1.unused')`,
    [tenantA],
  );
  await stack.db.query(
    `INSERT INTO observability.alert_rules (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
     VALUES ($1, 'errors', 'tessera_graphql_operations_total', '>', 10, 60, 'WARNING', '{log}')`,
    [tenantA],
  );
  member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN');
  outsider = await signUpUser(stack.gatewayUrl, 'outsider');
}, 120_000);

afterAll(async () => {
  if (!stopped) await stack?.stop();
});

/** As the member of tenant A, in `tenantId`. */
const asTenant = (tenantId: string) => member.headers(tenantId);

/** A new API key of tenant A with `scopes`. */
async function createApiKey(scopes: string[]): Promise<string> {
  const created = await postGraphQL<{ createApiKey: { secret: string } }>(
    stack.gatewayUrl,
    {
      query: 'mutation ($s: [String!]!) { createApiKey(name: "k", scopes: $s) { secret } }',
      variables: { s: scopes },
    },
    asTenant(tenantA),
  );
  if (!created.body.data) throw new Error(`createApiKey failed: ${created.text}`);
  return created.body.data.createApiKey.secret;
}

async function subgraphGraphQLRequests(): Promise<number[]> {
  return Promise.all(
    SUBGRAPH_NAMES.map(async (name) =>
      metricValue(await scrape(stack.url(name)), 'tessera_http_requests_total', {
        route: 'graphql',
      }),
    ),
  );
}

describe('one graph over five subgraphs', () => {
  it('answers one operation that reaches all five subgraphs', async () => {
    const before = await subgraphGraphQLRequests();
    const response = await postGraphQL(
      stack.gatewayUrl,
      {
        query: `query Everything($asset: ID!) {
          health { status checks { name status } }
          me { id }
          tenant { id slug name status }
          asset(id: $asset) { name sizeBytes status owner { email } }
          webhookEndpoints { url eventTypes status }
          alertRules { name comparator severity }
        }`,
        variables: { asset: assetsOfA[0] },
      },
      asTenant(tenantA),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      health: {
        status: 'ok',
        checks: ['postgres', 'redis', 'gateway', 'auth', 'tenancy', 'assets', 'jobs', 'worker'].map(
          (name) => ({ name, status: 'ok' }),
        ),
      },
      me: { id: member.id },
      tenant: { id: tenantA, slug: 'acme', name: 'Acme', status: 'ACTIVE' },
      asset: {
        name: 'file-0.txt',
        sizeBytes: 10,
        status: 'PENDING',
        owner: { email: 'owner0@example.com' },
      },
      webhookEndpoints: [
        {
          url: 'https://hooks.example.com/a',
          eventTypes: ['asset.created'],
          status: 'PENDING_VERIFICATION',
        },
      ],
      alertRules: [{ name: 'errors', comparator: '>', severity: 'WARNING' }],
    });
    const after = await subgraphGraphQLRequests();
    after.forEach((count, index) => expect(count).toBeGreaterThan(before[index]!));
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('resolves the owners of a page of assets with one auth request and one SQL query', async () => {
    const authMetrics = async () => {
      const page = await scrape(stack.url('auth'));
      return {
        requests: metricValue(page, 'tessera_http_requests_total', { route: 'graphql' }),
        queries: metricValue(page, 'tessera_db_queries_total', { outcome: 'ok' }),
      };
    };
    const measure = async () => {
      const before = await authMetrics();
      const response = await postGraphQL(
        stack.gatewayUrl,
        {
          query:
            '{ assets(first: 100, orderBy: NAME_ASC) { totalCount nodes { name owner { id email } } } }',
        },
        asTenant(tenantA),
      );
      expect(response.body.errors).toBeUndefined();
      const { assets } = response.body.data as {
        assets: { totalCount: number; nodes: { owner: { id: string } }[] };
      };
      expect(assets.totalCount).toBe(3);
      expect(assets.nodes.map((asset) => asset.owner.id)).toEqual(owners);
      const after = await authMetrics();
      return {
        requests: after.requests - before.requests,
        queries: after.queries - before.queries,
      };
    };
    // Auth's own timers (revocation resync, signing key refresh) run SQL now and then, which
    // can only add to a window: of up to three tries, the fewest statements are the request's.
    const tries = [await measure()];
    while (tries.length < 3 && tries.at(-1)!.queries !== 1) tries.push(await measure());
    expect(tries.at(-1)).toEqual({ requests: 1, queries: 1 });
  });

  it('runs tenantless fields without a tenant', async () => {
    const response = await postGraphQL(stack.gatewayUrl, {
      query: '{ health { status } me { id } __typename }',
    });
    expect(response.status).toBe(200);
    // Anonymous: `me` is null.
    expect(response.body.data).toEqual({ health: { status: 'ok' }, me: null, __typename: 'Query' });
  });
});

describe('tenant header', () => {
  it('refuses a tenant-scoped query without X-Tenant-Id with 400 before any subgraph is called', async () => {
    const before = await subgraphGraphQLRequests();
    const response = await postGraphQL(stack.gatewayUrl, {
      query: `query { health { status } ...Scoped } fragment Scoped on Query { tenant { id } }`,
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toEqual([
      {
        message: '"tenant" is tenant-scoped: send the X-Tenant-Id header',
        extensions: { code: 'TENANT_REQUIRED', requestId: response.headers.get('x-request-id') },
      },
    ]);
    expect(await subgraphGraphQLRequests()).toEqual(before);
  });

  it("never picks an API key's tenant: without X-Tenant-Id 400 TENANT_REQUIRED, with another tenant's 403, over HTTP and graphql-ws", async () => {
    const key = await createApiKey(['assets:read', 'events:read']);
    const query = '{ assets { totalCount } }';
    const before = await subgraphGraphQLRequests();
    const missing = await postGraphQL(stack.gatewayUrl, { query }, { 'x-api-key': key });
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('TENANT_REQUIRED');
    const another = await postGraphQL(
      stack.gatewayUrl,
      { query },
      { 'x-api-key': key, 'x-tenant-id': tenantB },
    );
    expect(another.status).toBe(403);
    expect(another.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await subgraphGraphQLRequests()).toEqual(before);

    const socket = connectWs(stack.gatewayUrl, { apiKey: key });
    try {
      for (const operation of [query, 'subscription { events { id } }']) {
        const refused = socket.subscribe(operation);
        await refused.ended;
        expect(JSON.stringify(refused.errors)).toMatch(/"code":"TENANT_REQUIRED"/);
        expect(refused.results).toEqual([]);
      }
    } finally {
      await socket.dispose();
    }
    const elsewhere = connectWs(stack.gatewayUrl, { apiKey: key, tenantId: tenantB });
    expect(await elsewhere.closed).toBe(4403);
    await elsewhere.dispose();

    const named = await postGraphQL(
      stack.gatewayUrl,
      { query },
      { 'x-api-key': key, 'x-tenant-id': tenantA },
    );
    expect(named.body).toEqual({ data: { assets: { totalCount: 3 } } });
  });

  it('refuses a malformed X-Tenant-Id with 400 BAD_USER_INPUT', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      asTenant("1' OR '1'='1"),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("reads another tenant's rows as absent", async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: `{ asset(id: "${assetOfB}") { id name } tenant { id } }` },
      asTenant(tenantA),
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ asset: null, tenant: { id: tenantA } });
  });

  it('ignores a client-sent x-tessera-context: the gateway builds its own', async () => {
    const forged = signedHeaders(
      stack.keys,
      { to: 'tenancy', path: '/graphql', body: '{"query":"{ tenant { id } }"}' },
      { as: 'gateway', context: { ...anonymousContext('forged'), tenantId: tenantB } },
    );
    const response = await postGraphQL(stack.gatewayUrl, { query: '{ tenant { id } }' }, forged);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('TENANT_REQUIRED');

    const withTenant = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      { ...forged, ...asTenant(tenantA) },
    );
    expect(withTenant.body.data).toEqual({ tenant: { id: tenantA } });
  });
});

describe('tenant access', () => {
  it('refuses an anonymous caller in a tenant with 401 before any subgraph is called', async () => {
    const before = await subgraphGraphQLRequests();
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      { 'x-tenant-id': tenantA },
    );
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await subgraphGraphQLRequests()).toEqual(before);
  });

  it('refuses a signed-in non-member with 403 FORBIDDEN, reads and writes alike', async () => {
    const before = await subgraphGraphQLRequests();
    for (const query of [
      `{ asset(id: "${assetsOfA[0]}") { name } }`,
      `{ assets { totalCount } }`,
      `mutation { createApiKey(name: "x", scopes: ["assets:read"]) { secret } }`,
    ]) {
      const response = await postGraphQL(stack.gatewayUrl, { query }, outsider.headers(tenantA));
      expect(response.status).toBe(403);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await subgraphGraphQLRequests()).toEqual(before);
  });

  it("refuses a member of A in tenant B, and reads B's rows as absent from A", async () => {
    const inB = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      asTenant(tenantB),
    );
    expect(inB.status).toBe(403);
    expect(inB.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a non-member run tenantless fields even with an X-Tenant-Id header', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ me { id } }' },
      outsider.headers(tenantA),
    );
    expect(response.body.data).toEqual({ me: { id: outsider.id } });
  });

  it('answers TENANT_SUSPENDED for a suspended tenant', async () => {
    const suspended = randomUUID();
    await stack.db.query(
      `INSERT INTO tenancy.tenants (id, slug, name, status) VALUES ($1, 'initech', 'Initech', 'SUSPENDED')`,
      [suspended],
    );
    await stack.db.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, 'OWNER')`,
      [suspended, member.id],
    );
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      asTenant(suspended),
    );
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('TENANT_SUSPENDED');
  });
});

describe('field policies', () => {
  it('refuses a VIEWER an ADMIN field before any subgraph is called, and lets it read', async () => {
    const viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER');
    const before = await subgraphGraphQLRequests();
    const refused = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ assets { totalCount } webhookEndpoints { url } }' },
      viewer.headers(tenantA),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: '"Query.webhookEndpoints" needs the ADMIN role or higher',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(await subgraphGraphQLRequests()).toEqual(before);
    const allowed = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ assets { totalCount } }' },
      viewer.headers(tenantA),
    );
    expect(allowed.body.data).toEqual({ assets: { totalCount: 3 } });
  });

  it('lets an API key read what its scopes allow and nothing else', async () => {
    const reader = await createApiKey(['assets:read']);
    const other = await createApiKey(['events:read']);
    const read = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ assets { totalCount } }' },
      { 'x-api-key': reader, 'x-tenant-id': tenantA },
    );
    expect(read.body.data).toEqual({ assets: { totalCount: 3 } });
    const noScope = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ assets { totalCount } }' },
      { 'x-api-key': other, 'x-tenant-id': tenantA },
    );
    expect(noScope.status).toBe(403);
    expect(noScope.body.errors?.[0]?.message).toBe(
      '"Query.assets" needs an API key with the assets:read scope',
    );
    const userOnly = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ webhookEndpoints { url } }' },
      { 'x-api-key': reader, 'x-tenant-id': tenantA },
    );
    expect(userOnly.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps platform-admin fields to platform admins', async () => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ users { nodes { id } } }' },
      member.headers(),
    );
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('checks again in the subgraph: a signed context with too low a role is refused there', async () => {
    const context = {
      ...anonymousContext('direct-viewer'),
      tenantId: tenantA,
      principal: { kind: 'user' as const, id: member.id },
      role: 'VIEWER' as const,
    };
    const body = JSON.stringify({ query: '{ webhookEndpoints { url } }' });
    const response = await fetch(`${stack.url('jobs')}/graphql`, {
      method: 'POST',
      headers: signedHeaders(
        stack.keys,
        { to: 'jobs', path: '/graphql', body },
        { as: 'gateway', context },
      ),
      body,
    });
    const answer = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(answer.errors[0]!.extensions.code).toBe('FORBIDDEN');
  });
});

describe('bad requests', () => {
  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await postGraphQL(stack.gatewayUrl, {
      query: `{ health { status } }`,
      variables: { padding: 'x'.repeat(1024 * 1024 + 1) },
    });
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      limitBytes: 1048576,
    });
  });

  it('answers malformed JSON with a coded 400', async () => {
    const response = await postGraphQL(stack.gatewayUrl, '{"query": "{ health { status } }"');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps the code of a subgraph refusing a malformed custom scalar', async () => {
    const asVariable = await postGraphQL(
      stack.gatewayUrl,
      {
        query: 'query ($since: DateTime) { events(since: $since) { nodes { id } } }',
        variables: { since: 'yesterday' },
      },
      asTenant(tenantA),
    );
    expect(asVariable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const inline = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ events(since: "yesterday") { nodes { id } } }' },
      asTenant(tenantA),
    );
    expect(inline.body.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('answers a query that does not validate with GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await postGraphQL(stack.gatewayUrl, { query: '{ nope }' });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('masks an unexpected failure: a code and the request id, no SQL and no stack', async () => {
    await stack.db.query('REVOKE SELECT ON assets.assets FROM tessera_assets');
    try {
      const response = await postGraphQL(
        stack.gatewayUrl,
        { query: `{ asset(id: "${assetsOfA[0]}") { id } }` },
        { ...asTenant(tenantA), 'x-request-id': 'test-mask-0001' },
      );
      expect(response.body.errors).toEqual([
        {
          message: 'Internal server error',
          path: ['asset'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'test-mask-0001' },
        },
      ]);
      expect(response.text).not.toMatch(/permission|SELECT|assets\.assets|stack|at .*\.js/i);
      // The detail is in the subgraph's log, tied to the same request id (the line may reach
      // this process a moment after the response does).
      const findLogged = () =>
        stack.logs.find(
          (log) =>
            log.service === 'assets' &&
            log.entry?.level === 'error' &&
            log.entry.requestId === 'test-mask-0001',
        );
      const logged = await eventually(findLogged, 30_000, "the subgraph's error line");
      expect(JSON.stringify(logged.entry)).toMatch(/permission denied/);
    } finally {
      await stack.db.query('GRANT SELECT ON assets.assets TO tessera_assets');
    }
  });
});

describe('subgraphs trust only the gateway', () => {
  const query = JSON.stringify({ query: '{ health { status } }' });
  const call = (headers: Record<string, string>) =>
    fetch(`${stack.url('observability')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: query,
    });
  const context = { ...anonymousContext('direct-call'), tenantId: tenantA };
  const signed = (sign: Partial<SignAs> = {}, keys = stack.keys) =>
    signedHeaders(
      keys,
      { to: 'observability', path: '/graphql', body: query },
      { as: 'gateway', context, ...sign },
    );

  it('rejects a direct call without a signed context', async () => {
    const response = await call({});
    expect(response.status).toBe(401);
    expect(
      ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!
        .extensions.code,
    ).toBe('UNAUTHENTICATED');
  });

  it("rejects a context signed with a key that is not the gateway's", async () => {
    expect((await call(signed({}, generateTestServiceKeys()))).status).toBe(401);
  });

  it('rejects a tampered context', async () => {
    const headers = signed();
    const tampered = Buffer.from(
      JSON.stringify({ ...context, tenantId: tenantB, platformAdmin: true }),
    ).toString('base64url');
    const response = await call({ ...headers, 'x-tessera-context': tampered });
    expect(response.status).toBe(401);
  });

  it('rejects a stale context', async () => {
    const response = await call(signed({ now: Date.now() - 120_000 }));
    expect(response.status).toBe(401);
  });

  it("rejects a context signed by another service's key with 403", async () => {
    const response = await call(signed({ as: 'worker' }));
    expect(response.status).toBe(403);
  });

  it("accepts a fresh context signed with the gateway's key", async () => {
    const response = await call(signed());
    expect(response.status).toBe(200);
  });
});

describe('operations', () => {
  it('serves /healthz, /readyz and /metrics on every process', async () => {
    for (const [name, service] of stack.processes) {
      const health = await fetch(`${service.url}/healthz`);
      expect([name, health.status]).toEqual([name, 200]);
      const ready = await fetch(`${service.url}/readyz`);
      expect([name, ready.status]).toEqual([name, 200]);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain(`tessera_process_cpu_seconds_total{service="${name}"}`);
      expect(metrics).toContain('tessera_http_requests_total');
    }
  });

  it('serves Apollo Sandbox to a browser at the gateway URL', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/sandbox/i);
  });

  it('drains on SIGTERM: every process exits 0 with no error logged', async () => {
    const codes = await stack.stop();
    stopped = true;
    // Idle processes drain at once: none waited out its grace period (a clock would say the
    // same less reliably on a loaded machine).
    expect(stack.logs.filter((log) => log.line.includes('grace period over'))).toEqual([]);
    expect(codes).toEqual({
      gateway: 0,
      auth: 0,
      tenancy: 0,
      assets: 0,
      jobs: 0,
      observability: 0,
      worker: 0,
    });
    const errors = stack.logs.filter(
      (log) =>
        (log.entry &&
          ['error', 'fatal'].includes(String(log.entry.level)) &&
          log.entry.requestId !== 'test-mask-0001') ||
        (log.stream === 'stderr' && log.line.trim() !== ''),
    );
    expect(errors).toEqual([]);
  });
});
