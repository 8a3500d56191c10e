import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { encryption } from '../../../platform/config/encryption';
import { parseConfig } from '../../../platform/config/load';
import { oauthProviderLookupCall } from '../../../platform/contracts/tenancy/oauth-provider-lookup';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { composeSupergraph } from '../../../platform/schema/compose';
import { postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { postInternal, refusalCode, type SignAs } from '../../../testing/internal-requests';
import { generateTestServiceKeys } from '../../../testing/service-keys';
import { startStack, type TestStack } from '../../../testing/stack';
import { validOAuthProviderInput } from '../services/oauth-provider-input';
import { MAX_OAUTH_PROVIDERS_PER_TENANT } from '../services/oauth-provider.service';

// Per-tenant OAuth providers end to end: managed by OWNERs and ADMINs through the gateway,
// client secrets encrypted at rest under the tenant and provider name, and read back in the
// clear only through the signed internal lookup the auth service calls.

const tenantA = randomUUID();
const tenantB = randomUUID();
const tenantC = randomUUID();
let stack: TestStack;
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
let viewer: TestUser;
let adminB: TestUser;
let adminC: TestUser;
/** Every client secret a test sends, so the last test can look for them in the logs. */
const secrets = new Set<string>();

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     VALUES ($1, 'alpha', 'Alpha'), ($2, 'beta', 'Beta'), ($3, 'gamma', 'Gamma')`,
    [tenantA, tenantB, tenantC],
  );
  [owner, admin, member, viewer, adminB, adminC] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantB, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenantC, 'ADMIN'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const FIELDS = `provider clientId issuer authorizationUrl tokenUrl userInfoUrl scopes enabled
  createdAt updatedAt`;
const CONFIGURE = `mutation ($input: OAuthProviderInput!) {
  configureOAuthProvider(input: $input) { ${FIELDS} } }`;
const LIST = `{ oauthProviders { ${FIELDS} } }`;
const REMOVE = `mutation ($provider: String!) { removeOAuthProvider(provider: $provider) }`;

interface ProviderConfig {
  provider: string;
  clientId: string;
  issuer: string | null;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  userInfoUrl: string | null;
  scopes: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

function newSecret(): string {
  const secret = `cs-${randomUUID()}`;
  secrets.add(secret);
  return secret;
}

function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
}

function configure(user: TestUser, tenantId: string, input: Record<string, unknown>) {
  return gql<{ configureOAuthProvider: ProviderConfig }>(
    CONFIGURE,
    { input },
    user.headers(tenantId),
  );
}

async function configured(user: TestUser, tenantId: string, input: Record<string, unknown>) {
  const response = await configure(user, tenantId, input);
  if (!response.body.data) throw new Error(`configureOAuthProvider failed: ${response.text}`);
  return response.body.data.configureOAuthProvider;
}

async function list(user: TestUser, tenantId: string): Promise<ProviderConfig[]> {
  const response = await gql<{ oauthProviders: ProviderConfig[] }>(
    LIST,
    {},
    user.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`oauthProviders failed: ${response.text}`);
  return response.body.data.oauthProviders;
}

function codes(response: GraphQLResponse<unknown>) {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

/** An OIDC provider found by discovery. */
function oidc(provider: string, secret = newSecret()) {
  return {
    provider,
    clientId: `${provider}-client`,
    clientSecret: secret,
    issuer: 'https://accounts.example.com',
  };
}

function lookup(body: unknown, sign: Partial<SignAs> = {}) {
  return postInternal(stack, oauthProviderLookupCall, body, sign);
}

async function rowCount(tenantId: string, provider?: string): Promise<number> {
  const [row] = await stack.db.query<{ count: string }>(
    `SELECT count(*) FROM tenancy.oauth_providers
      WHERE tenant_id = $1 AND ($2::text IS NULL OR provider = $2)`,
    [tenantId, provider ?? null],
  );
  return Number(row?.count);
}

describe('configuring providers', () => {
  it('lets an ADMIN create a provider, replace it by name, list it and remove it', async () => {
    const created = await configured(admin, tenantA, oidc('google'));
    expect(created).toEqual({
      provider: 'google',
      clientId: 'google-client',
      issuer: 'https://accounts.example.com',
      authorizationUrl: null,
      tokenUrl: null,
      userInfoUrl: null,
      scopes: ['openid', 'email', 'profile'],
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const updated = await configured(admin, tenantA, {
      provider: 'google',
      clientId: 'google-client-2',
      clientSecret: newSecret(),
      authorizationUrl: 'https://idp.example.com/authorize',
      tokenUrl: 'https://idp.example.com/token',
      userInfoUrl: 'https://idp.example.com/userinfo',
      enabled: false,
    });
    expect(updated).toMatchObject({
      provider: 'google',
      clientId: 'google-client-2',
      issuer: null,
      authorizationUrl: 'https://idp.example.com/authorize',
      enabled: false,
      createdAt: created.createdAt,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    // Left out, `enabled` keeps its value on a replacement.
    expect((await configured(admin, tenantA, oidc('google'))).enabled).toBe(false);
    expect((await list(admin, tenantA)).filter((p) => p.provider === 'google')).toEqual([
      expect.objectContaining({ clientId: 'google-client', enabled: false }),
    ]);
    expect(await rowCount(tenantA, 'google')).toBe(1);

    const removed = await gql(REMOVE, { provider: 'google' }, admin.headers(tenantA));
    expect(removed.body).toEqual({ data: { removeOAuthProvider: true } });
    expect((await list(admin, tenantA)).map((p) => p.provider)).not.toContain('google');
    const again = await gql(REMOVE, { provider: 'google' }, admin.headers(tenantA));
    expect(codes(again)).toEqual(['NOT_FOUND']);

    const events = await stack.db.query<{ type: string; actor_id: string; payload: object }>(
      `SELECT type, actor_id, payload FROM events.events
        WHERE tenant_id = $1 AND payload->>'provider' = 'google' ORDER BY seq`,
      [tenantA],
    );
    expect(events.map((event) => [event.type, event.actor_id])).toEqual([
      ['tenancy.oauth_provider.configured', admin.id],
      ['tenancy.oauth_provider.configured', admin.id],
      ['tenancy.oauth_provider.configured', admin.id],
      ['tenancy.oauth_provider.removed', admin.id],
    ]);
    expect(events.map((event) => (event.payload as { created?: boolean }).created)).toEqual([
      true,
      false,
      false,
      undefined,
    ]);
    const journal = JSON.stringify(events);
    for (const secret of secrets) expect(journal).not.toContain(secret);
    expect(journal).not.toContain('v1.');
  });

  it('lets an OWNER configure providers too', async () => {
    expect((await configured(owner, tenantA, oidc('owner-idp'))).provider).toBe('owner-idp');
  });

  it('has no field in the schema that could return a client secret', async () => {
    const { apiSchema } = composeSupergraph();
    const type = apiSchema.getType('OAuthProviderConfig') as unknown as {
      getFields(): Record<string, unknown>;
    };
    expect(Object.keys(type.getFields()).filter((name) => /secret/i.test(name))).toEqual([]);
    const asked = await gql('{ oauthProviders { clientSecret } }', {}, admin.headers(tenantA));
    expect(codes(asked)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('stores the client secret only encrypted, bound to the tenant and provider name', async () => {
    const secret = newSecret();
    await configured(admin, tenantA, oidc('stored', secret));
    const [row] = await stack.db.query<{ text: string; envelope: string }>(
      `SELECT p::text AS text, client_secret_encrypted AS envelope FROM tenancy.oauth_providers p
        WHERE tenant_id = $1 AND provider = 'stored'`,
      [tenantA],
    );
    expect(row!.text).not.toContain(secret);
    expect(row!.envelope).toMatch(/^v1\.dev\./);
    // The stack runs with the development key; the associated data is `<tenant>:<provider>`.
    const ring = KeyRing.fromConfig(parseConfig(encryption, {}).ENCRYPTION_KEYS);
    expect(ring.decrypt(row!.envelope, `${tenantA}:stored`)).toBe(secret);
    expect(() => ring.decrypt(row!.envelope, `${tenantB}:stored`)).toThrow(/unauthentic/);
  });
});

describe('who may manage providers', () => {
  it.each([
    ['a MEMBER', () => member],
    ['a VIEWER', () => viewer],
  ])('refuses %s with FORBIDDEN and writes nothing', async (_case, user) => {
    await configured(admin, tenantA, oidc('guarded'));
    const listed = await gql(LIST, {}, user().headers(tenantA));
    expect(codes(listed)).toEqual(['FORBIDDEN']);
    const written = await configure(user(), tenantA, oidc('sneaky'));
    expect(codes(written)).toEqual(['FORBIDDEN']);
    const removed = await gql(REMOVE, { provider: 'guarded' }, user().headers(tenantA));
    expect(codes(removed)).toEqual(['FORBIDDEN']);
    expect(await rowCount(tenantA, 'sneaky')).toBe(0);
    expect(await rowCount(tenantA, 'guarded')).toBe(1);
  });

  it('refuses an API key of the tenant with FORBIDDEN', async () => {
    const created = await gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(name: "ci", scopes: ["assets:read"]) { secret } }`,
      {},
      admin.headers(tenantA),
    );
    const key = created.body.data!.createApiKey.secret;
    const asKey = { 'x-api-key': key, 'x-tenant-id': tenantA };
    const listed = await gql(LIST, {}, asKey);
    expect(codes(listed)).toEqual(['FORBIDDEN']);
    const written = await gql(CONFIGURE, { input: oidc('by-key') }, asKey);
    expect(codes(written)).toEqual(['FORBIDDEN']);
    expect(await rowCount(tenantA, 'by-key')).toBe(0);
  });

  it('refuses an anonymous caller', async () => {
    const response = await gql(LIST, {}, { 'x-tenant-id': tenantA });
    expect(codes(response)).toEqual([expect.stringMatching(/^(UNAUTHENTICATED|FORBIDDEN)$/)]);
  });
});

describe('tenant isolation', () => {
  it("never shows or touches another tenant's provider", async () => {
    await configured(adminB, tenantB, oidc('okta'));
    expect((await list(admin, tenantA)).map((p) => p.provider)).not.toContain('okta');
    expect((await list(adminB, tenantB)).map((p) => p.provider)).toEqual(['okta']);
    const removed = await gql(REMOVE, { provider: 'okta' }, admin.headers(tenantA));
    expect(codes(removed)).toEqual(['NOT_FOUND']);
    // The same name in A is A's own provider, not a replacement of B's.
    await configured(admin, tenantA, oidc('okta'));
    expect(await rowCount(tenantB, 'okta')).toBe(1);
    expect(await rowCount(tenantA, 'okta')).toBe(1);
    const elsewhere = await gql(LIST, {}, admin.headers(tenantB));
    expect(codes(elsewhere)).toEqual(['FORBIDDEN']);
  });

  it("is enforced by row-level security for tenancy's role", async () => {
    const client = new Client({ connectionString: stack.db.urlAs('tenancy') });
    await client.connect();
    try {
      expect((await client.query(`SELECT 1 FROM tenancy.oauth_providers`)).rows).toEqual([]);
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantB]);
      const rows = await client.query(`SELECT DISTINCT tenant_id FROM tenancy.oauth_providers`);
      expect(rows.rows).toEqual([{ tenant_id: tenantB }]);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});

describe('input rules', () => {
  const endpoints = {
    authorizationUrl: 'https://idp.example.com/authorize',
    tokenUrl: 'https://idp.example.com/token',
    userInfoUrl: 'https://idp.example.com/userinfo',
  };
  const base = () => ({
    provider: 'acme',
    clientId: 'acme-client',
    clientSecret: newSecret(),
    ...endpoints,
  });

  it.each([
    ['an upper-case provider name', { provider: 'Google' }, 'provider'],
    ['a provider name with a leading hyphen', { provider: '-acme' }, 'provider'],
    ['a provider name of 33 characters', { provider: 'a'.repeat(33) }, 'provider'],
    ['a provider name with a slash', { provider: 'ac/me' }, 'provider'],
    ['an empty client id', { clientId: '  ' }, 'clientId'],
    ['a client id of 513 characters', { clientId: 'c'.repeat(513) }, 'clientId'],
    ['an empty client secret', { clientSecret: '' }, 'clientSecret'],
    ['a client secret over 2 KiB', { clientSecret: 's'.repeat(2049) }, 'clientSecret'],
    ['a client secret of 1025 characters', { clientSecret: 's'.repeat(1025) }, 'clientSecret'],
    ['a URL with credentials', { tokenUrl: 'https://user:pass@idp.example.com/token' }, 'tokenUrl'],
    ['a URL with an empty user name', { tokenUrl: 'https://@idp.example.com/token' }, 'tokenUrl'],
    ['an issuer with a user name', { issuer: 'https://admin@idp.example.com' }, 'issuer'],
    [
      'a URL that is not one',
      { authorizationUrl: 'idp.example.com/authorize' },
      'authorizationUrl',
    ],
    ['an ftp URL', { userInfoUrl: 'ftp://idp.example.com/userinfo' }, 'userInfoUrl'],
    ['a javascript: URL', { authorizationUrl: 'javascript:alert(1)' }, 'authorizationUrl'],
    ['an http URL off loopback', { tokenUrl: 'http://idp.example.com/token' }, 'tokenUrl'],
    ['an http issuer off loopback', { issuer: 'http://idp.example.com' }, 'issuer'],
    [
      'a URL over 2048 characters',
      { tokenUrl: `https://idp.example.com/${'t'.repeat(2048)}` },
      'tokenUrl',
    ],
    ['a URL with a newline', { tokenUrl: 'https://idp.exa\nmple.com/token' }, 'tokenUrl'],
    ['a missing token URL', { tokenUrl: null }, 'tokenUrl'],
    [
      'neither an issuer nor endpoints',
      { authorizationUrl: null, tokenUrl: '', userInfoUrl: undefined },
      'authorizationUrl',
    ],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_case, change, field) => {
    const input = { ...base(), ...change };
    const response = await configure(admin, tenantA, input);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    // The gateway passes on the code and the message (not the `field` extension).
    expect(response.body.errors?.[0]?.message).toContain(field);
    if (input.clientSecret) expect(response.text).not.toContain(input.clientSecret.slice(0, 40));
    expect(await rowCount(tenantA, String(input.provider))).toBe(0);
  });

  it(`caps a tenant at ${MAX_OAUTH_PROVIDERS_PER_TENANT} providers, still allowing replacements`, async () => {
    for (let i = 1; i <= MAX_OAUTH_PROVIDERS_PER_TENANT; i++) {
      await configured(adminC, tenantC, oidc(`idp-${i}`));
    }
    const over = await configure(adminC, tenantC, oidc('idp-extra'));
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.body.errors?.[0]?.message).toMatch(
      `at most ${MAX_OAUTH_PROVIDERS_PER_TENANT} OAuth providers`,
    );
    expect(await rowCount(tenantC)).toBe(MAX_OAUTH_PROVIDERS_PER_TENANT);
    const replaced = await configure(adminC, tenantC, { ...oidc('idp-1'), clientId: 'new' });
    expect(replaced.body.data?.configureOAuthProvider.clientId).toBe('new');
  });

  describe('URL policy (unit)', () => {
    const input = (change: Record<string, unknown>) => ({
      provider: 'unit',
      clientId: 'unit-client',
      clientSecret: 'unit-secret',
      ...change,
    });

    it('takes plain http only on a loopback host, and never in production', () => {
      for (const issuer of [
        'http://localhost:8080/realms/dev',
        'http://127.0.0.1:8080',
        'http://[::1]:8080',
      ]) {
        const http = input({ issuer });
        expect(() => validOAuthProviderInput(http, { allowLoopbackHttp: false })).toThrow(
          'issuer must be an https URL',
        );
        expect(validOAuthProviderInput(http, { allowLoopbackHttp: true }).issuer).toBe(issuer);
      }
      for (const issuer of [
        'http://idp.example.com',
        'http://10.1.2.3',
        'http://localhost.example.com',
        'http://127.0.0.1.nip.io',
      ]) {
        expect(() =>
          validOAuthProviderInput(input({ issuer }), { allowLoopbackHttp: true }),
        ).toThrow('issuer must be an https URL (http only on a loopback host)');
      }
      expect(
        validOAuthProviderInput(input({ issuer: 'https://idp.example.com' }), {
          allowLoopbackHttp: false,
        }).issuer,
      ).toBe('https://idp.example.com');
    });

    it('keeps an issuer as written (no trailing slash added) and treats blank URLs as absent', () => {
      const valid = validOAuthProviderInput(
        input({ issuer: ' https://accounts.google.com ', tokenUrl: '   ' }),
        { allowLoopbackHttp: false },
      );
      expect(valid).toMatchObject({ issuer: 'https://accounts.google.com', tokenUrl: null });
    });

    it('holds the secret so that it cannot be logged', () => {
      const valid = validOAuthProviderInput(input({ issuer: 'https://idp.example.com' }), {
        allowLoopbackHttp: false,
      });
      expect(JSON.stringify(valid)).not.toContain('unit-secret');
      expect(String(valid.clientSecret)).toBe('[redacted]');
      expect(valid.clientSecret.reveal()).toBe('unit-secret');
    });

    it('refuses an issuer with a query or fragment', () => {
      for (const issuer of ['https://idp.example.com/?tenant=1', 'https://idp.example.com/#x']) {
        expect(() =>
          validOAuthProviderInput(input({ issuer }), { allowLoopbackHttp: true }),
        ).toThrow(/issuer must not contain/);
      }
    });
  });
});

describe(`POST ${oauthProviderLookupCall.path}`, () => {
  it('answers the provider with its client secret decrypted, never cached', async () => {
    const secret = newSecret();
    await configured(admin, tenantA, {
      provider: 'lookup',
      clientId: 'lookup-client',
      clientSecret: secret,
      authorizationUrl: 'https://idp.example.com/authorize',
      tokenUrl: 'https://idp.example.com/token',
      userInfoUrl: 'https://idp.example.com/userinfo',
    });
    const response = await lookup({ tenantId: tenantA, provider: 'lookup' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(oauthProviderLookupCall.answer.parse(body)).toEqual(body);
    expect(body).toEqual({
      provider: {
        provider: 'lookup',
        clientId: 'lookup-client',
        clientSecret: secret,
        issuer: null,
        authorizationUrl: 'https://idp.example.com/authorize',
        tokenUrl: 'https://idp.example.com/token',
        userInfoUrl: 'https://idp.example.com/userinfo',
        scopes: ['openid', 'email', 'profile'],
        enabled: true,
      },
    });
    const upper = await lookup({ tenantId: tenantA.toUpperCase(), provider: 'lookup' });
    expect(
      ((await upper.json()) as { provider: { clientSecret: string } }).provider.clientSecret,
    ).toBe(secret);
  });

  it('answers a disabled provider too, marked disabled', async () => {
    await configured(admin, tenantA, { ...oidc('disabled-idp'), enabled: false });
    const response = await lookup({ tenantId: tenantA, provider: 'disabled-idp' });
    expect(await response.json()).toMatchObject({ provider: { enabled: false } });
  });

  it("answers null for an unknown provider, an unknown tenant and another tenant's provider", async () => {
    await configured(adminB, tenantB, oidc('only-in-b'));
    for (const body of [
      { tenantId: tenantA, provider: 'nope' },
      { tenantId: randomUUID(), provider: 'lookup' },
      { tenantId: tenantA, provider: 'only-in-b' },
    ]) {
      const response = await lookup(body);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ provider: null });
    }
  });

  it('fails cleanly, with no secret, when an envelope was moved to another row', async () => {
    const secretA = newSecret();
    const secretB = newSecret();
    await configured(admin, tenantA, oidc('swap-a', secretA));
    await configured(admin, tenantA, oidc('swap-b', secretB));
    await configured(adminB, tenantB, oidc('swap-a', newSecret()));
    // Another provider's envelope in the same tenant, then the same provider's from tenant B.
    await stack.db.query(
      `UPDATE tenancy.oauth_providers SET client_secret_encrypted = (
         SELECT client_secret_encrypted FROM tenancy.oauth_providers
          WHERE tenant_id = $1 AND provider = 'swap-b')
        WHERE tenant_id = $1 AND provider = 'swap-a'`,
      [tenantA],
    );
    const swapped = await lookup({ tenantId: tenantA, provider: 'swap-a' });
    const text = await swapped.text();
    expect(swapped.status).toBe(500);
    expect(swapped.headers.get('cache-control')).toBe('no-store');
    // Masked like every unexpected failure; the reason is in tenancy's log (below).
    expect(
      (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions
        .code,
    ).toBe('INTERNAL_SERVER_ERROR');
    expect(text).not.toContain(secretA);
    expect(text).not.toContain(secretB);

    await stack.db.query(
      `UPDATE tenancy.oauth_providers SET client_secret_encrypted = (
         SELECT client_secret_encrypted FROM tenancy.oauth_providers
          WHERE tenant_id = $2 AND provider = 'swap-a')
        WHERE tenant_id = $1 AND provider = 'swap-a'`,
      [tenantA, tenantB],
    );
    expect((await lookup({ tenantId: tenantA, provider: 'swap-a' })).status).toBe(500);
    // The untouched row still resolves.
    const intact = await lookup({ tenantId: tenantA, provider: 'swap-b' });
    expect(
      ((await intact.json()) as { provider: { clientSecret: string } }).provider.clientSecret,
    ).toBe(secretB);
    expect(
      stack.logs.some(
        ({ service, entry }) =>
          service === 'tenancy' &&
          entry?.msg === 'stored OAuth client secret cannot be decrypted' &&
          entry.reason === 'unauthentic',
      ),
    ).toBe(true);
  });

  it('refuses a request without a valid signature of the auth service with 401', async () => {
    const body = { tenantId: tenantA, provider: 'lookup' };
    const unsigned = await fetch(`${stack.url('tenancy')}${oauthProviderLookupCall.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(unsigned.status).toBe(401);
    expect(await refusalCode(unsigned)).toBe('UNAUTHENTICATED');
    const forged = await postInternal(
      { ...stack, keys: generateTestServiceKeys() },
      oauthProviderLookupCall,
      body,
    );
    expect(forged.status).toBe(401);
    const stale = await lookup(body, { now: Date.now() - 600_000 });
    expect(stale.status).toBe(401);
  });

  it.each([
    ['not JSON', '{"tenantId":'],
    ['an empty body', ''],
    ['an array', '[]'],
    ['a missing provider', JSON.stringify({ tenantId: randomUUID() })],
    ['a tenant id that is not a UUID', JSON.stringify({ tenantId: 'acme', provider: 'google' })],
    ['a malformed provider name', JSON.stringify({ tenantId: randomUUID(), provider: '../x' })],
    ['a provider that is not a string', JSON.stringify({ tenantId: randomUUID(), provider: 1 })],
  ])('refuses %s with 400', async (_case, body) => {
    const response = await lookup(body);
    expect(response.status).toBe(400);
    expect(await refusalCode(response)).toBe('BAD_USER_INPUT');
  });

  it('refuses a body over 4 KiB with 413 and other methods with 405', async () => {
    const large = await lookup(
      JSON.stringify({ tenantId: tenantA, provider: 'lookup', pad: 'x'.repeat(4096) }),
    );
    expect(large.status).toBe(413);
    const get = await fetch(`${stack.url('tenancy')}${oauthProviderLookupCall.path}`);
    expect(get.status).toBe(405);
  });
});

describe('logs', () => {
  it('never contain a client secret', () => {
    expect(secrets.size).toBeGreaterThan(10);
    const leaked = stack.logs.filter(({ line }) => [...secrets].some((s) => line.includes(s)));
    expect(leaked).toEqual([]);
  });
});
