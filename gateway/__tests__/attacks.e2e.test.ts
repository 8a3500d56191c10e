import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Client } from 'pg';
import { API_KEY_SCOPES } from '../../platform/contracts/auth/api-key-format';
import { anonymousContext, type RequestContext } from '../../platform/context/request-context';
import { CONTEXT_HEADER, SIGNATURE_HEADER } from '../../platform/context/signed-request';
import { SERVICE_NAMES, type ServiceName } from '../../platform/context/service-keys';
import { INTERNAL_CALLS } from '../../platform/contracts/all-calls';
import { alertEvaluationCall } from '../../platform/contracts/observability/alert-evaluation';
import { reencryptCall } from '../../platform/contracts/subgraphs/reencrypt';
import { tenantPurgeCall } from '../../platform/contracts/subgraphs/tenant-purge';
import { oauthProviderLookupCall } from '../../platform/contracts/tenancy/oauth-provider-lookup';
import { roleLookupCall } from '../../platform/contracts/tenancy/role-lookup';
import { DATABASE_SERVICES } from '../../platform/db/roles';
import { SUBGRAPH_NAMES } from '../../platform/paths';
import { eventually } from '../../testing/eventually';
import {
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../testing/graphql-client';
import { addMember, signUpMember, signUpUser, type TestUser } from '../../testing/members';
import { postInternal, refusalCode, signedHeaders } from '../../testing/internal-requests';
import { generateTestServiceKeys } from '../../testing/service-keys';
import { startStack, type TestStack } from '../../testing/stack';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import {
  collectIds,
  idArguments,
  idTypesFor,
  isEmptyAnswer,
  loadAttackSurface,
  operationFor,
  rolesBelow,
  type ObjectPool,
  type RootField,
} from './attack-surface';
import { startCaptureProxy, type CaptureProxy } from './capture-proxy';

// The attack suite: every tenant-scoped root field of the supergraph, generated, attacked as a
// member of another tenant, with another tenant's ids, with too low a role, with an API key
// missing the scope, in a suspended tenant; then forged and replayed service contexts, direct
// subgraph calls, row-level security with no tenant set, and the security edge (CORS, CSRF,
// query limits, a rate-limit burst over two gateways sharing one Redis). All five subgraphs and
// the worker run as real processes.

const surface = loadAttackSurface();
/** Long enough that a request sent again right away is always inside it, even under load. */
const MAX_AGE_SECONDS = 10;
const RATE_LIMIT_PER_IP = 40;
const APP_ORIGIN = 'https://app.example.com';
/** In every name tenant A's objects carry: no answer in another tenant may contain it. */
const marker = `atka${randomUUID().replace(/-/g, '').slice(0, 8)}`;

let stack: TestStack;
let secondGateway: ServiceProcess;
let capture: CaptureProxy;
let ownerA: TestUser;
/** OWNER of B and MEMBER of A: knows A's ids, works in B. */
let both: TestUser;
const rolesOfA = new Map<string, TestUser>();
let suspendedOwner: TestUser;
let tenantA: string;
let tenantB: string;
const suspendedTenant = randomUUID();
/** API keys of A: every scope, and every scope but one (by the missing scope). */
let fullKey: string;
const keysWithout = new Map<string, string>();
const pool: ObjectPool = { ids: new Map(), names: {} };
/** A's ids other than users' (users are global; a member of both tenants is one). */
let idsOfA: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    worker: true,
    env: {
      GATEWAY_TRUST_PROXY: '1',
      GATEWAY_RATE_LIMIT_PER_IP: String(RATE_LIMIT_PER_IP),
      CONTEXT_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS),
      CORS_ALLOWED_ORIGINS: APP_ORIGIN,
      // Webhook endpoints on this machine may be created (nothing is delivered to them).
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
    },
  });
  capture = await startCaptureProxy(stack.url('observability'));
  secondGateway = await spawnService('gateway', {
    env: {
      ...stack.env,
      ...Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          `SUBGRAPH_${name.toUpperCase()}_URL`,
          `${name === 'observability' ? capture.url : stack.url(name)}/graphql`,
        ]),
      ),
    },
  });

  [ownerA, both] = await Promise.all([
    signUpUser(stack.gatewayUrl, 'owner-a'),
    signUpUser(stack.gatewayUrl, 'both'),
  ]);
  tenantA = await createTenant(ownerA, `${marker} Corp`, `${marker}-corp`);
  tenantB = await createTenant(both, 'Bystander', `b-${randomUUID().slice(0, 8)}`);
  await addMember(stack.db, tenantA, both.id, 'MEMBER');
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
    rolesOfA.set(role, await signUpMember(stack.gatewayUrl, stack.db, tenantA, role));
  }
  rolesOfA.set('OWNER', ownerA);
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name, status) VALUES ($1, $2, 'Frozen', 'SUSPENDED')`,
    [suspendedTenant, `frozen-${suspendedTenant.slice(0, 8)}`],
  );
  suspendedOwner = await signUpMember(stack.gatewayUrl, stack.db, suspendedTenant, 'OWNER');

  await seedTenantA();
  await harvestTenantA();
}, 180_000);

afterAll(async () => {
  await secondGateway?.stop();
  await capture?.close();
  await stack?.stop();
});

// ─── helpers ───

let lastIp = 0;
/** A client IP of its own for each request: per-IP budgets stay out of the way but in the burst. */
function freshIp(): string {
  lastIp += 1;
  return `10.${(lastIp >> 16) & 255}.${(lastIp >> 8) & 255}.${lastIp & 255}`;
}

function gql<T = Record<string, unknown>>(
  request: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string>,
  url = stack.gatewayUrl,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(url, request, { 'x-forwarded-for': freshIp(), ...headers });
}

function must<T>(response: GraphQLResponse<T>): T {
  if (!response.body.data || response.body.errors) {
    throw new Error(`unexpected answer: ${response.text}`);
  }
  return response.body.data;
}

async function createTenant(user: TestUser, name: string, slug: string): Promise<string> {
  const data = must(
    await gql<{ createTenant: { id: string } }>(
      {
        query: 'mutation ($n: String!, $s: String!) { createTenant(name: $n, slug: $s) { id } }',
        variables: { n: name, s: slug },
      },
      user.headers(),
    ),
  );
  return data.createTenant.id;
}

const hasRoot = (name: string) => surface.fields.some((root) => root.name === name);

async function createApiKey(name: string, scopes: readonly string[]): Promise<string> {
  const data = must(
    await gql<{ createApiKey: { secret: string } }>(
      {
        query: `mutation ($n: String!, $s: [String!]!) { createApiKey(name: $n, scopes: $s) { secret } }`,
        variables: { n: name, s: scopes },
      },
      ownerA.headers(tenantA),
    ),
  );
  return data.createApiKey.secret;
}

/** A's objects, through the API where it serves them, named with the marker. */
async function seedTenantA(): Promise<void> {
  const asA = ownerA.headers(tenantA);
  const seed = async (query: string, variables: Record<string, unknown> = {}) =>
    must(await gql({ query, variables }, asA));

  await seed(
    `mutation ($n: String!) { createAssetUpload(name: $n, contentType: "text/plain", sizeBytes: 5) { asset { id } } }`,
    { n: `${marker}-report.txt` },
  );
  await seed(`mutation ($e: String!) { inviteMember(email: $e, role: VIEWER) { token } }`, {
    e: `${marker}-invitee@example.com`,
  });
  pool.names.provider = `${marker}-idp`;
  await seed(
    `mutation ($i: OAuthProviderInput!) { configureOAuthProvider(input: $i) { provider } }`,
    {
      i: {
        provider: pool.names.provider,
        clientId: `${marker}-client`,
        clientSecret: `${marker}-client-secret`,
        authorizationUrl: 'https://idp.example.com/authorize',
        tokenUrl: 'https://idp.example.com/token',
        userInfoUrl: 'https://idp.example.com/userinfo',
      },
    },
  );
  await seed(`mutation ($i: TenantSettingsInput!) { updateTenantSettings(input: $i) { id } }`, {
    i: { allowedOrigins: [`https://${marker}.example.com`] },
  });
  pool.names.confirmSlug = `${marker}-corp`;
  if (hasRoot('createWebhookEndpoint')) {
    await seed(
      `mutation ($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }`,
      {
        i: {
          url: `http://127.0.0.1:9/${marker}`,
          description: `${marker}-hook`,
          eventTypes: ['*'],
        },
      },
    );
  } else {
    await stack.db.query(
      `INSERT INTO jobs.webhook_endpoints (tenant_id, url, event_types) VALUES ($1, $2, '{*}')`,
      [tenantA, `https://hooks.example.com/${marker}`],
    );
  }
  await stack.db.query(
    `INSERT INTO observability.alert_rules (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
     VALUES ($1, $2, 'tessera_graphql_operations_total', '>', 10, 60, 'WARNING', '{log}')`,
    [tenantA, `${marker}-alert`],
  );
  fullKey = await createApiKey(`${marker}-all`, API_KEY_SCOPES);
  const guardedScopes = new Set(
    surface.fields.map((root) => root.requirement?.scope).filter((scope) => scope !== undefined),
  );
  for (const scope of guardedScopes) {
    keysWithout.set(
      scope,
      await createApiKey(
        `${marker}-no-${scope.replace(':', '-')}`,
        API_KEY_SCOPES.filter((other) => other !== scope),
      ),
    );
  }
}

/**
 * Reads, as A's OWNER, every tenant-scoped query that needs no argument, as deep as the
 * limits allow, and keeps every id of every type it sees.
 */
async function harvestTenantA(): Promise<void> {
  const found = new Map<string, Set<string>>();
  for (const root of surface.fields) {
    if (
      root.operation !== 'query' ||
      root.field.args.some((arg) => arg.type.toString().endsWith('!'))
    ) {
      continue;
    }
    const response = await runDeep(root, ownerA.headers(tenantA));
    collectIds(response.body.data, found);
  }
  for (const [type, ids] of found) pool.ids.set(type, [...ids]);
  // Users are global; the one id argument that names a user gets an A-only member.
  pool.ids.set('User', [rolesOfA.get('VIEWER')!.id]);
  idsOfA = [
    tenantA,
    ...[...found].filter(([type]) => type !== 'User').flatMap(([, ids]) => [...ids]),
  ];
  expect(pool.ids.get('Asset')?.length).toBeGreaterThan(0);
  expect(pool.ids.get('ApiKey')?.length).toBeGreaterThan(0);
  expect(pool.ids.get('Invitation')?.length).toBeGreaterThan(0);
  expect(pool.ids.get('WebhookEndpoint')?.length).toBeGreaterThan(0);
}

/** Runs `root` with the deepest selection the query limits accept (3 object levels at most). */
async function runDeep(
  root: RootField,
  headers: Record<string, string>,
  options: { idType?: string } = {},
): Promise<GraphQLResponse & { sent: string[] }> {
  for (let depth = 3; ; depth -= 1) {
    const operation = operationFor(surface, root, { pool, idType: options.idType, depth });
    const response = await gql(operation, headers);
    const limit = response.body.errors?.[0]?.extensions?.limit;
    if (depth > 1 && (limit === 'cost' || limit === 'depth')) continue;
    return { ...response, sent: operation.sent };
  }
}

/** Requests the five subgraphs have served on /graphql so far. */
async function subgraphRequests(): Promise<number> {
  const counts = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) =>
      metricValue(await scrape(stack.url(name)), 'tessera_http_requests_total', {
        route: 'graphql',
      }),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Calls `root` (minimal arguments) and expects the gateway to refuse it without a subgraph. */
async function expectRefusedAtGateway(
  root: RootField,
  headers: Record<string, string>,
  expected: { status: number; code: string },
): Promise<GraphQLResponse> {
  const before = await subgraphRequests();
  const response = await gql(operationFor(surface, root), headers);
  expect([root.coordinate, response.status, codeOf(response)]).toEqual([
    root.coordinate,
    expected.status,
    expected.code,
  ]);
  expect(response.body.data ?? null).toBeNull();
  expect(await subgraphRequests()).toBe(before);
  return response;
}

/** Rows of tenant A in a table of each subgraph that a tenant purge empties. */
async function rowsOfA(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, column] of [
    ['auth.api_keys', 'tenant_id'],
    ['assets.assets', 'tenant_id'],
    ['jobs.webhook_endpoints', 'tenant_id'],
    ['observability.alert_rules', 'tenant_id'],
    ['tenancy.memberships', 'tenant_id'],
    ['tenancy.tenants', 'id'],
  ] as const) {
    const [row] = await stack.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${table} WHERE ${column} = $1`,
      [tenantA],
    );
    counts[table] = row!.count;
  }
  return counts;
}

const signatureHeaders = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.startsWith('x-tessera-')),
  ) as Record<string, string>;

const send = (name: ServiceName, path: string, headers: Record<string, string>, body: string) =>
  fetch(`${stack.url(name)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
const callSubgraph = (name: ServiceName, headers: Record<string, string>, body: string) =>
  send(name, '/graphql', headers, body);

/**
 * The reasons `service` logged for refusing signed requests after log line `from`, once there
 * are `count` of them (log lines arrive after the answer).
 */
async function refusals(
  service: ServiceName,
  from: number,
  count: number,
  only: { route?: string; caller?: ServiceName } = {},
): Promise<unknown[]> {
  const logged = () =>
    stack.logs
      .slice(from)
      .filter(
        ({ service: by, entry }) =>
          by === service &&
          entry?.msg === 'signed request refused' &&
          (only.route === undefined || entry.route === only.route) &&
          (only.caller === undefined || entry.caller === only.caller),
      )
      .map((line) => line.entry!.reason);
  await eventually(() => logged().length >= count);
  return logged();
}

const byCoordinate = (root: RootField) => [root.coordinate, root] as const;

// ─── the generated attacks ───

describe('the attack surface', () => {
  it('is generated from the supergraph the gateway serves', () => {
    const names = surface.fields.map((root) => root.coordinate);
    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(names).toEqual(
      expect.arrayContaining([
        'Query.tenant',
        'Query.asset',
        'Query.assets',
        'Mutation.updateTenantSettings',
        'Mutation.deleteTenant',
        'Mutation.revokeApiKey',
      ]),
    );
    expect(names).not.toContain('Query.me');
    expect(names).not.toContain('Mutation.createTenant');
  });
});

describe('a member of tenant A with X-Tenant-Id of tenant B', () => {
  it.each(surface.fields.map(byCoordinate))(
    '%s: 403 FORBIDDEN before any subgraph is called',
    async (_name, root) => {
      await expectRefusedAtGateway(root, ownerA.headers(tenantB), {
        status: 403,
        code: 'FORBIDDEN',
      });
    },
  );

  it('gets the same answer with a forged x-tessera-context claiming B', async () => {
    const forged: RequestContext = {
      ...anonymousContext('forged'),
      tenantId: tenantB,
      principal: { kind: 'user', id: ownerA.id },
      role: 'OWNER',
      platformAdmin: true,
    };
    const signed = signedHeaders(
      stack.keys,
      { to: 'tenancy', path: '/graphql', body: '{}' },
      { as: 'gateway', context: forged },
    );
    await expectRefusedAtGateway(
      surface.fields.find((root) => root.name === 'tenant')!,
      {
        ...ownerA.headers(tenantB),
        [CONTEXT_HEADER]: signed[CONTEXT_HEADER]!,
        [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER]!,
      },
      { status: 403, code: 'FORBIDDEN' },
    );
  });
});

describe('a role below the one a field requires', () => {
  const cases = surface.fields.flatMap((root) =>
    rolesBelow(root.requirement).map(
      (role) => [`${root.coordinate} as ${role}`, root, role] as const,
    ),
  );

  it('covers every ADMIN and OWNER mutation as a VIEWER', () => {
    const mutations = surface.fields.filter(
      (root) =>
        root.operation === 'mutation' &&
        (root.requirement?.role === 'ADMIN' || root.requirement?.role === 'OWNER'),
    );
    expect(mutations.length).toBeGreaterThan(10);
    for (const root of mutations) {
      expect(cases.some(([, attacked, role]) => attacked === root && role === 'VIEWER')).toBe(true);
    }
  });

  it.each(cases)('%s: 403 FORBIDDEN before any subgraph is called', async (_name, root, role) => {
    const response = await expectRefusedAtGateway(root, rolesOfA.get(role)!.headers(tenantA), {
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(response.body.errors?.[0]?.message).toBe(
      `"${root.coordinate}" needs the ${root.requirement!.role} role or higher`,
    );
  });
});

describe('an API key of A', () => {
  const scoped = surface.fields.filter((root) => root.requirement?.scope);
  const roleOnly = surface.fields.filter(
    (root) => root.requirement?.role && !root.requirement.scope,
  );

  it.each(scoped.map(byCoordinate))(
    '%s: 403 without the scope it needs, before any subgraph is called',
    async (_name, root) => {
      const response = await expectRefusedAtGateway(
        root,
        { 'x-api-key': keysWithout.get(root.requirement!.scope!)!, 'x-tenant-id': tenantA },
        { status: 403, code: 'FORBIDDEN' },
      );
      expect(response.body.errors?.[0]?.message).toBe(
        `"${root.coordinate}" needs an API key with the ${root.requirement!.scope} scope`,
      );
    },
  );

  it.each(roleOnly.map(byCoordinate))(
    '%s: 403 for a key with every scope (the field is not for programs)',
    async (_name, root) => {
      await expectRefusedAtGateway(
        root,
        { 'x-api-key': fullKey, 'x-tenant-id': tenantA },
        { status: 403, code: 'FORBIDDEN' },
      );
    },
  );
});

describe('a suspended tenant', () => {
  it.each(surface.fields.map(byCoordinate))(
    '%s: 403 TENANT_SUSPENDED before any subgraph is called',
    async (_name, root) => {
      await expectRefusedAtGateway(root, suspendedOwner.headers(suspendedTenant), {
        status: 403,
        code: 'TENANT_SUSPENDED',
      });
    },
  );
});

describe("a member of both tenants using A's ids while in B", () => {
  // Destructive fields last, so a wrong answer cannot hide the others' results.
  const ordered = [...surface.fields].sort(
    (a, b) =>
      Number(['leaveTenant', 'deleteTenant'].includes(a.name)) -
      Number(['leaveTenant', 'deleteTenant'].includes(b.name)),
  );

  it.each(ordered.map(byCoordinate))("%s: never answers with A's data", async (_name, root) => {
    const idTypes = idArguments(root).length
      ? idArguments(root).flatMap((arg) => idTypesFor(root, arg, pool))
      : [undefined];
    for (const idType of idTypes.length ? idTypes : [undefined]) {
      const response = await runDeep(root, both.headers(tenantB), { idType });
      let text = response.text;
      for (const value of response.sent) text = text.split(value).join('<sent>');
      expect([root.coordinate, idType, text.includes(marker)]).toEqual([
        root.coordinate,
        idType,
        false,
      ]);
      for (const id of idsOfA) {
        expect([root.coordinate, idType, text.includes(id)]).toEqual([
          root.coordinate,
          idType,
          false,
        ]);
      }
      if (idType !== undefined) {
        // Handed one of A's objects: nothing found, nothing done.
        const answer = response.body.data?.[root.name];
        const code = codeOf(response);
        expect([
          root.coordinate,
          idType,
          isEmptyAnswer(answer) || code === 'NOT_FOUND' || code === 'BAD_USER_INPUT',
        ]).toEqual([root.coordinate, idType, true]);
      }
    }
  });

  it("hands A's real ids to every id argument whose type A has objects of", () => {
    const expected = [
      'asset',
      'event',
      'webhookEndpoint',
      'completeAssetUpload',
      'updateAsset',
      'deleteAsset',
      'restoreAsset',
      'rotateApiKey',
      'revokeApiKey',
      'revokeInvitation',
      'updateMemberRole',
      'removeMember',
      'updateWebhookEndpoint',
      'deleteWebhookEndpoint',
      'verifyWebhookEndpoint',
      'rotateWebhookSecret',
      'sendTestWebhook',
      'replayEvents',
    ].filter(hasRoot);
    for (const name of expected) {
      const root = surface.fields.find((field) => field.name === name)!;
      const types = idArguments(root).flatMap((arg) => idTypesFor(root, arg, pool));
      expect([name, types.length > 0]).toEqual([name, true]);
    }
  });

  it("can tell A's data when it sees it (the checks above are not vacuous)", async () => {
    for (const [name, user] of [
      ['tenant', both],
      ['assets', both],
      ['oauthProviders', ownerA],
    ] as const) {
      const root = surface.fields.find((field) => field.name === name)!;
      expect((await runDeep(root, user.headers(tenantA))).text).toContain(marker);
    }
  });

  it("left every one of A's objects as it was", async () => {
    const found = new Map<string, Set<string>>();
    for (const root of surface.fields) {
      if (
        root.operation !== 'query' ||
        root.field.args.some((arg) => arg.type.toString().endsWith('!'))
      ) {
        continue;
      }
      collectIds((await runDeep(root, ownerA.headers(tenantA))).body.data, found);
    }
    for (const [type, ids] of pool.ids) {
      if (type === 'User' || type === 'Event') continue;
      expect([type, [...(found.get(type) ?? [])].sort()]).toEqual([
        type,
        expect.arrayContaining(ids),
      ]);
    }
    const tenant = must(
      await gql<{ tenant: { name: string; settings: { allowedOrigins: string[] } } }>(
        { query: '{ tenant { name settings { allowedOrigins } } }' },
        ownerA.headers(tenantA),
      ),
    ).tenant;
    expect(tenant).toEqual({
      name: `${marker} Corp`,
      settings: { allowedOrigins: [`https://${marker}.example.com`] },
    });
    const providers = must(
      await gql<{ oauthProviders: { provider: string; clientId: string }[] }>(
        { query: '{ oauthProviders { provider clientId } }' },
        ownerA.headers(tenantA),
      ),
    ).oauthProviders;
    expect(providers).toEqual([{ provider: `${marker}-idp`, clientId: `${marker}-client` }]);
    // A's API key still works, and the member of both is still only a MEMBER of A.
    expect(
      (
        await gql(
          { query: '{ assets { totalCount } }' },
          { 'x-api-key': fullKey, 'x-tenant-id': tenantA },
        )
      ).status,
    ).toBe(200);
    const [membership] = await stack.db.query<{ role: string }>(
      `SELECT role FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`,
      [tenantA, both.id],
    );
    expect(membership).toEqual({ role: 'MEMBER' });
  });
});

// ─── the service context ───

describe('the signed service context', () => {
  /** What the gateway signed for observability for `query`, asked through the second gateway. */
  async function wiretapped(
    field: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ headers: Record<string, string>; body: string }> {
    const answer = await gql(
      { query, variables },
      rolesOfA.get('ADMIN')!.headers(tenantA),
      `${secondGateway.url}/graphql`,
    );
    expect(answer.body.errors).toBeUndefined();
    const wiretap = capture.captured.findLast((entry) => entry.body.includes(field))!;
    const headers = signatureHeaders(wiretap.headers);
    expect(Object.keys(headers).sort()).toEqual([CONTEXT_HEADER, SIGNATURE_HEADER]);
    return { headers, body: wiretap.body };
  }

  it('refuses a captured context replayed to another route, another service or with another body', async () => {
    const { headers, body } = await wiretapped('alertRules', '{ alertRules { name } }');
    const from = stack.logs.length;
    // Within the window the very request can be sent again (a query repeats an answer).
    expect((await callSubgraph('observability', headers, body)).status).toBe(200);

    // Another route of the same service, with the body its contract wants.
    const evaluate = await send('observability', alertEvaluationCall.path, headers, '{}');
    expect(evaluate.status).toBe(401);
    // Another service: its GraphQL, and tenancy's OAuth provider lookup (a client secret).
    expect((await callSubgraph('tenancy', headers, body)).status).toBe(401);
    const secret = await send(
      'tenancy',
      oauthProviderLookupCall.path,
      headers,
      JSON.stringify({ tenantId: tenantA, provider: pool.names.provider }),
    );
    expect(secret.status).toBe(401);
    expect(await secret.text()).not.toContain(`${marker}-client-secret`);
    // Another body under the same signature.
    const other = JSON.stringify({ query: '{ alertRules { name channels } }' });
    expect((await callSubgraph('observability', headers, other)).status).toBe(401);

    expect(await refusals('observability', from, 2)).toEqual(['bad-signature', 'body-mismatch']);
    expect(await refusals('tenancy', from, 2)).toEqual(['wrong-audience', 'wrong-audience']);
  });

  it('refuses a captured mutation sent again within the window: it ran once', async () => {
    const name = `${marker}-replayed`;
    const { headers, body } = await wiretapped(
      'createAlertRule',
      'mutation ($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }',
      {
        i: {
          name,
          metric: 'tessera_journal_events_total',
          comparator: '>',
          threshold: 1,
          forSeconds: 60,
          severity: 'INFO',
          channels: ['log'],
        },
      },
    );
    // The admin deletes the rule; the copy must not bring it back.
    await stack.db.query(`DELETE FROM observability.alert_rules WHERE name = $1`, [name]);
    const from = stack.logs.length;
    const replayed = await callSubgraph('observability', headers, body);
    expect(replayed.status).toBe(401);
    expect(await refusals('observability', from, 1)).toEqual(['replayed']);
    const rows = await stack.db.query(`SELECT 1 FROM observability.alert_rules WHERE name = $1`, [
      name,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('refuses a captured context once CONTEXT_MAX_AGE_SECONDS have passed, and any edit of it', async () => {
    const { headers, body } = await wiretapped('alertRules', '{ alertRules { name } }');
    const from = stack.logs.length;
    // Edited: another tenant, or a platform admin, under the same signature.
    const context = JSON.parse(
      Buffer.from(headers[CONTEXT_HEADER]!, 'base64url').toString('utf8'),
    ) as RequestContext;
    for (const edit of [{ tenantId: tenantB }, { platformAdmin: true }, { role: 'OWNER' }]) {
      const tampered = Buffer.from(JSON.stringify({ ...context, ...edit })).toString('base64url');
      const response = await callSubgraph(
        'observability',
        { ...headers, [CONTEXT_HEADER]: tampered },
        body,
      );
      expect(response.status).toBe(401);
    }
    // Signed by a key that is not the gateway's.
    const forged = signedHeaders(
      generateTestServiceKeys(),
      { to: 'observability', path: '/graphql', body },
      { as: 'gateway', context: { ...context, tenantId: tenantB } },
    );
    expect((await callSubgraph('observability', forged, body)).status).toBe(401);

    // The copy itself works until its window ends, then never again.
    await eventually(
      async () => (await callSubgraph('observability', headers, body)).status === 401,
      (MAX_AGE_SECONDS + 20) * 1000,
    );
    expect(await refusals('observability', from, 5)).toEqual([
      ...Array(4).fill('bad-signature'),
      'stale',
    ]);
  });

  it.each(SUBGRAPH_NAMES.map((name) => [name]))(
    '%s refuses a direct call without a signature, and one carrying an unsigned context',
    async (name) => {
      const body = JSON.stringify({ query: '{ __typename }' });
      expect((await callSubgraph(name, {}, body)).status).toBe(401);
      const unsigned = Buffer.from(
        JSON.stringify({ ...anonymousContext('direct'), tenantId: tenantA, platformAdmin: true }),
      ).toString('base64url');
      expect((await callSubgraph(name, { [CONTEXT_HEADER]: unsigned }, body)).status).toBe(401);
    },
  );

  it.each(SUBGRAPH_NAMES.map((name) => [name]))(
    "%s refuses GraphQL signed with any key but the gateway's with 403",
    async (name) => {
      const body = JSON.stringify({ query: '{ __typename }' });
      for (const as of SERVICE_NAMES.filter((service) => service !== 'gateway')) {
        const headers = signedHeaders(stack.keys, { to: name, path: '/graphql', body }, { as });
        expect([as, (await callSubgraph(name, headers, body)).status]).toEqual([as, 403]);
      }
    },
  );
});

describe('internal routes', () => {
  const routes = INTERNAL_CALLS.flatMap((call) =>
    call.servedBy.map((server) => [`${server} ${call.path}`, call, server] as const),
  );

  it.each(routes)('%s refuses an unsigned call with 401', async (_name, call, server) => {
    const response = await fetch(`${stack.url(server)}${call.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: tenantA, userId: ownerA.id, batch: 1 }),
    });
    expect(response.status).toBe(401);
  });

  it.each(routes)(
    '%s refuses every service that is not its caller with 403',
    async (_name, call, server) => {
      for (const as of SERVICE_NAMES.filter((service) => !call.callers.includes(service))) {
        const response = await postInternal(stack, call, { tenantId: tenantA }, { as, to: server });
        expect([as, response.status]).toEqual([as, 403]);
      }
    },
  );

  it("gives assets' own key no client secret and no purge", async () => {
    const secret = await postInternal(
      stack,
      oauthProviderLookupCall,
      { tenantId: tenantA, provider: pool.names.provider },
      { as: 'assets' },
    );
    expect(secret.status).toBe(403);
    expect(await secret.text()).not.toContain(`${marker}-client-secret`);
    const before = await rowsOfA();
    for (const server of SUBGRAPH_NAMES) {
      const purge = await postInternal(
        stack,
        tenantPurgeCall,
        { tenantId: tenantA },
        {
          as: 'assets',
          to: server,
        },
      );
      expect([server, purge.status, await refusalCode(purge)]).toEqual([server, 403, 'FORBIDDEN']);
    }
    expect(await rowsOfA()).toEqual(before);
  });

  it('refuses to purge a live tenant in every subgraph, even when the worker asks', async () => {
    const before = await rowsOfA();
    expect(Object.values(before).every((count) => count > 0)).toBe(true);
    for (const server of SUBGRAPH_NAMES) {
      const purge = await postInternal(
        stack,
        tenantPurgeCall,
        { tenantId: tenantA },
        { to: server },
      );
      expect([server, purge.status, await refusalCode(purge)]).toEqual([server, 409, 'CONFLICT']);
    }
    expect(await rowsOfA()).toEqual(before);
  });

  it('takes each signed request to a mutating route once', async () => {
    const body = JSON.stringify({ batch: 0 });
    const headers = signedHeaders(
      stack.keys,
      { to: 'auth', path: reencryptCall.path, body },
      { as: 'worker' },
    );
    const from = stack.logs.length;
    expect((await send('auth', reencryptCall.path, headers, body)).status).toBe(200);
    const again = await send('auth', reencryptCall.path, headers, body);
    expect([again.status, await refusalCode(again)]).toEqual([401, 'UNAUTHENTICATED']);
    // (Refusals of earlier tests may still be on their way: only this route's, as the worker.)
    expect(
      await refusals('auth', from, 1, { route: reencryptCall.path, caller: 'worker' }),
    ).toEqual(['replayed']);
    // A read-only route may be asked the same twice (it changes nothing).
    const question = JSON.stringify({ tenantId: tenantA, userId: ownerA.id });
    const lookup = signedHeaders(
      stack.keys,
      { to: 'tenancy', path: roleLookupCall.path, body: question },
      { as: 'gateway' },
    );
    for (let time = 0; time < 2; time += 1) {
      expect((await send('tenancy', roleLookupCall.path, lookup, question)).status).toBe(200);
    }
  });
});

// ─── the database ───

describe('row-level security', () => {
  it("shows no tenant's rows on any tenant-owned table when no tenant is set", async () => {
    // Tenant-owned: a tenant_id column, or row-level security keyed on something else
    // (tenancy.tenants on its id). Rows of no tenant (platform events) may stay visible.
    const tables = await stack.db.query<{ name: string; keyed: boolean }>(
      `SELECT n.nspname || '.' || c.relname AS name,
              EXISTS (SELECT 1 FROM information_schema.columns col
                       WHERE col.table_schema = n.nspname AND col.table_name = c.relname
                         AND col.column_name = 'tenant_id') AS keyed
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND (c.relrowsecurity OR EXISTS (
                SELECT 1 FROM information_schema.columns col
                 WHERE col.table_schema = n.nspname AND col.table_name = c.relname
                   AND col.column_name = 'tenant_id'))
        ORDER BY 1`,
    );
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['assets.assets', 'auth.api_keys', 'tenancy.tenants']),
    );
    const count = (name: string, keyed: boolean) =>
      `SELECT count(*) FILTER (WHERE ${keyed ? 't.tenant_id IS NOT NULL' : 'false'})::int AS tenants,
              count(*) FILTER (WHERE t::text LIKE '%' || $1 || '%')::int AS a
         FROM ${name} t`;
    // As every service's role: each sees nothing of a tenant's rows, or may not read at all.
    const services = await Promise.all(
      DATABASE_SERVICES.map(async (service) => {
        const client = new Client({ connectionString: stack.db.urlAs(service) });
        await client.connect();
        return { service, client };
      }),
    );
    type Visible = { tenants: number; a: number } | 'denied';
    const seen: Record<string, { owner: number; services: Record<string, Visible> }> = {};
    try {
      for (const { name, keyed } of tables) {
        const [owner] = await stack.db.query<{ a: number }>(count(name, keyed), [tenantA]);
        seen[name] = { owner: owner!.a, services: {} };
        for (const { service, client } of services) {
          let visible: Visible;
          try {
            visible = (
              await client.query<{ tenants: number; a: number }>(count(name, keyed), [tenantA])
            ).rows[0]!;
          } catch (error) {
            // Not even granted to this service's role: it sees nothing either.
            if ((error as { code?: string }).code !== '42501') throw error;
            visible = 'denied';
          }
          seen[name].services[service] = visible;
        }
      }
    } finally {
      await Promise.all(services.map(({ client }) => client.end()));
    }
    for (const [name, { services: visible }] of Object.entries(seen)) {
      for (const [service, answer] of Object.entries(visible)) {
        expect([name, service, answer]).toEqual([
          name,
          service,
          answer === 'denied' ? 'denied' : { tenants: 0, a: 0 },
        ]);
      }
    }
    // Not a vacuous pass: A's rows are there for the owner to see.
    for (const name of [
      'assets.assets',
      'auth.api_keys',
      'events.events',
      'tenancy.invitations',
      'tenancy.oauth_providers',
      'tenancy.tenant_settings',
      'tenancy.tenants',
    ]) {
      expect([name, seen[name]!.owner > 0]).toEqual([name, true]);
    }
  });
});

// ─── the edge ───

describe('the security edge', () => {
  it('gives a foreign origin no CORS answer, and its preflight 403', async () => {
    const preflight = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const request = await gql(
      { query: '{ tenant { id } }' },
      { origin: 'https://evil.example', ...ownerA.headers(tenantA) },
    );
    expect(request.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("admits tenant A's own origin for A's requests only, not for B's", async () => {
    const origin = `https://${marker}.example.com`;
    const forA = await gql({ query: '{ tenant { id } }' }, { origin, ...both.headers(tenantA) });
    expect(forA.headers.get('access-control-allow-origin')).toBe(origin);
    // The same page, signed in as a member of B, asking for B: the page may not read it.
    const forB = await gql({ query: '{ tenant { id } }' }, { origin, ...both.headers(tenantB) });
    expect(forB.body.data).toEqual({ tenant: { id: tenantB } });
    expect(forB.headers.get('access-control-allow-origin')).toBeNull();
    const tenantless = await gql({ query: '{ me { id } }' }, { origin, ...both.headers() });
    expect(tenantless.headers.get('access-control-allow-origin')).toBeNull();
    // Its preflight names no tenant: a tenant allows the origin, so the browser may ask.
    const preflight = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });

  it('refuses a cookie-authenticated mutation without the CSRF token, and changes nothing', async () => {
    const response = await gql(
      { query: 'mutation { updateTenant(name: "pwned") { name } }' },
      {
        cookie: `tessera_access=${ownerA.accessToken}; tessera_csrf=${randomUUID()}`,
        'x-tenant-id': tenantA,
      },
    );
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('FORBIDDEN');
    // A form post (no preflight) with a bearer token: Apollo's CSRF prevention refuses it.
    const simple = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        authorization: `Bearer ${ownerA.accessToken}`,
        'x-tenant-id': tenantA,
        'x-forwarded-for': freshIp(),
      },
      body: JSON.stringify({ query: 'mutation { updateTenant(name: "pwned") { name } }' }),
    });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
    const [tenant] = await stack.db.query<{ name: string }>(
      `SELECT name FROM tenancy.tenants WHERE id = $1`,
      [tenantA],
    );
    expect(tenant).toEqual({ name: `${marker} Corp` });
  });

  it('refuses a deep and a costly query with 400 before any subgraph is called', async () => {
    const before = await subgraphRequests();
    const deep = await gql(
      {
        // 13 fields deep, one item per page: cheap, only too deep.
        query: `{ tenant { members(first: 1) { nodes { user { assets(first: 1) { nodes { owner {
          assets(first: 1) { nodes { owner { assets(first: 1) { nodes { id } } } } } } } } } } } } }`,
      },
      ownerA.headers(tenantA),
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.map((error) => error.extensions?.limit)).toEqual(['depth']);
    const costly = await gql(
      {
        // Shallow, but 100 owners' 100 assets each.
        query: `{ assets(first: 100) { nodes { id owner { assets(first: 100) { nodes { id name } } } } } }`,
      },
      ownerA.headers(tenantA),
    );
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.map((error) => error.extensions?.limit)).toEqual(['cost']);
    expect(costly.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await subgraphRequests()).toBe(before);
  });

  it('stops a burst from one IP across two gateways sharing one Redis', async () => {
    const ip = '192.0.2.77';
    const urls = [stack.gatewayUrl, `${secondGateway.url}/graphql`];
    const answers = await Promise.all(
      Array.from({ length: RATE_LIMIT_PER_IP }, (_, i) =>
        postGraphQL(urls[i % 2]!, { query: '{ __typename }' }, { 'x-forwarded-for': ip }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(RATE_LIMIT_PER_IP).fill(200));
    for (const url of urls) {
      const refused = await postGraphQL(
        url,
        { query: '{ __typename }' },
        { 'x-forwarded-for': ip },
      );
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        limit: 'ip',
        retryAfter: expect.any(Number),
      });
    }
  });
});
