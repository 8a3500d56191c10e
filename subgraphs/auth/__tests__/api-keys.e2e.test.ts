import { randomUUID } from 'node:crypto';
import { postGraphQL, type GraphQLResponse, codeOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';

// API keys end to end: managed by a tenant's OWNERs and ADMINs through the gateway, used by
// programs with X-API-Key, checked (and cached) by the gateway, limited per key in Redis.

const tenantA = randomUUID();
const tenantB = randomUUID();
let stack: TestStack;
let admin: TestUser;
let member: TestUser;

interface CreatedKey {
  secret: string;
  apiKey: { id: string; prefix: string; scopes: string[] };
}

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: { API_KEY_RATE_LIMIT_PER_MINUTE: '30', API_KEY_USAGE_FLUSH_SECONDS: '1' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'alpha', 'Alpha'), ($2, 'beta', 'Beta')`,
    [tenantA, tenantB],
  );
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN');
  member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const CREATE = `mutation ($name: String!, $scopes: [String!]!, $expiresAt: DateTime) {
  createApiKey(name: $name, scopes: $scopes, expiresAt: $expiresAt) { secret apiKey { id prefix scopes } } }`;

async function createKey(scopes = ['assets:read'], name = 'ci'): Promise<CreatedKey> {
  const response = await postGraphQL<{ createApiKey: CreatedKey }>(
    stack.gatewayUrl,
    { query: CREATE, variables: { name, scopes } },
    admin.headers(tenantA),
  );
  if (!response.body.data) throw new Error(`createApiKey failed: ${response.text}`);
  return response.body.data.createApiKey;
}

/** A request with the key, in tenant A unless `headers` say otherwise. */
function withKey(key: string, query = '{ tenant { id } }', headers: Record<string, string> = {}) {
  return postGraphQL<{ tenant: { id: string } | null }>(
    stack.gatewayUrl,
    { query },
    { 'x-api-key': key, 'x-tenant-id': tenantA, ...headers },
  );
}

const refused = (response: GraphQLResponse) =>
  response.status === 401 && codeOf(response) === 'UNAUTHENTICATED';

describe('managing keys', () => {
  it('creates a key shown once, stored only as a hash, and lists it', async () => {
    const { secret, apiKey } = await createKey(['assets:write', 'assets:read', 'assets:read']);
    expect(secret).toMatch(/^tsk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.scopes).toEqual(['assets:read', 'assets:write']);
    const [row] = await stack.db.query<{ row: string }>(
      `SELECT k::text AS row FROM auth.api_keys k WHERE id = $1`,
      [apiKey.id],
    );
    expect(row!.row).not.toContain(secret.slice(-43));
    const list = await postGraphQL<{ myApiKeys: { id: string }[] }>(
      stack.gatewayUrl,
      { query: '{ myApiKeys { id name prefix scopes lastUsedAt } }' },
      admin.headers(tenantA),
    );
    expect(list.body.data?.myApiKeys.map((key) => key.id)).toContain(apiKey.id);
  });

  it.each([
    ['no scopes', { name: 'x', scopes: [] }],
    ['an unknown scope', { name: 'x', scopes: ['root:everything'] }],
    ['an empty name', { name: '   ', scopes: ['assets:read'] }],
    ['a 101-character name', { name: 'n'.repeat(101), scopes: ['assets:read'] }],
    [
      'an expiry in the past',
      { name: 'x', scopes: ['assets:read'], expiresAt: '2020-01-01T00:00:00Z' },
    ],
  ])('refuses a key with %s as BAD_USER_INPUT', async (_case, variables) => {
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: CREATE, variables },
      admin.headers(tenantA),
    );
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('lets only OWNERs and ADMINs manage keys, and never a key itself', async () => {
    const asMember = await postGraphQL(
      stack.gatewayUrl,
      { query: CREATE, variables: { name: 'x', scopes: ['assets:read'] } },
      member.headers(tenantA),
    );
    expect(codeOf(asMember)).toBe('FORBIDDEN');
    const { secret } = await createKey();
    const asKey = await withKey(secret, '{ myApiKeys { id } }');
    expect(codeOf(asKey)).toBe('FORBIDDEN');
  });

  it("cannot revoke or rotate another tenant's key", async () => {
    const { apiKey } = await createKey();
    const other = await signUpMember(stack.gatewayUrl, stack.db, tenantB, 'OWNER');
    for (const query of [
      `mutation { revokeApiKey(id: "${apiKey.id}") }`,
      `mutation { rotateApiKey(id: "${apiKey.id}") { secret } }`,
    ]) {
      const response = await postGraphQL(stack.gatewayUrl, { query }, other.headers(tenantB));
      expect(codeOf(response)).toBe('NOT_FOUND');
    }
  });
});

describe('using keys', () => {
  it("acts in the key's tenant named in X-Tenant-Id, and records its last use", async () => {
    const { secret, apiKey } = await createKey();
    const response = await withKey(secret);
    expect(response.body.data).toEqual({ tenant: { id: tenantA } });
    await eventually(async () => {
      const [row] = await stack.db.query<{ last_used_at: Date | null }>(
        `SELECT last_used_at FROM auth.api_keys WHERE id = $1`,
        [apiKey.id],
      );
      return row?.last_used_at != null;
    });
  });

  it('refuses the key with another tenant in X-Tenant-Id', async () => {
    const { secret } = await createKey();
    const response = await withKey(secret, '{ tenant { id } }', { 'x-tenant-id': tenantB });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('FORBIDDEN');
  });

  it.each([
    ['a malformed key', 'not-a-key'],
    ['an unknown key', `tsk_${'a'.repeat(12)}_${'b'.repeat(43)}`],
  ])('refuses %s with 401', async (_case, key) => {
    expect(refused(await withKey(key))).toBe(true);
  });

  it('refuses a key whose secret part is wrong', async () => {
    const { secret } = await createKey();
    const forged = `${secret.slice(0, -4)}AAAA`;
    expect(refused(await withKey(forged))).toBe(true);
  });

  it('stops a revoked key on the gateway at once, despite its cache', async () => {
    const { secret, apiKey } = await createKey();
    expect((await withKey(secret)).status).toBe(200); // now cached by the gateway
    const revoke = await postGraphQL(
      stack.gatewayUrl,
      { query: `mutation { revokeApiKey(id: "${apiKey.id}") }` },
      admin.headers(tenantA),
    );
    expect(revoke.body.data).toEqual({ revokeApiKey: true });
    await eventually(async () => refused(await withKey(secret)));
    const again = await postGraphQL(
      stack.gatewayUrl,
      { query: `mutation { revokeApiKey(id: "${apiKey.id}") }` },
      admin.headers(tenantA),
    );
    expect(codeOf(again)).toBe('NOT_FOUND');
  });

  it('rotates: the new key works, the old one for the grace period only', async () => {
    const { secret: old, apiKey } = await createKey();
    expect((await withKey(old)).status).toBe(200);
    const rotate = async (id: string, grace: number) =>
      (
        await postGraphQL<{ rotateApiKey: { secret: string; apiKey: { id: string } } }>(
          stack.gatewayUrl,
          {
            query: `mutation ($id: ID!, $grace: Int) { rotateApiKey(id: $id, gracePeriodSeconds: $grace) { secret apiKey { id } } }`,
            variables: { id, grace },
          },
          admin.headers(tenantA),
        )
      ).body.data!.rotateApiKey;
    const next = await rotate(apiKey.id, 3600);
    expect((await withKey(next.secret)).status).toBe(200);
    expect((await withKey(old)).status).toBe(200);

    const last = await rotate(next.apiKey.id, 0);
    expect((await withKey(last.secret)).status).toBe(200);
    await eventually(async () => refused(await withKey(next.secret)));
    const tooLong = await postGraphQL(
      stack.gatewayUrl,
      {
        query: `mutation { rotateApiKey(id: "${last.apiKey.id}", gracePeriodSeconds: 99999999) { secret } }`,
      },
      admin.headers(tenantA),
    );
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
  });

  it('refuses an expired key', async () => {
    const { secret, apiKey } = await createKey();
    await stack.db.query(
      `UPDATE auth.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [apiKey.id],
    );
    expect(refused(await withKey(secret))).toBe(true);
  });

  it('limits each key across the gateway, with retryAfter, leaving other keys alone', async () => {
    const { secret } = await createKey();
    const statuses: number[] = [];
    let limited: GraphQLResponse | undefined;
    for (let i = 0; i < 31; i += 1) {
      const response = await withKey(secret, '{ __typename }');
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(limited?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await createKey();
    expect((await withKey(other.secret, '{ __typename }')).status).toBe(200);
  });

  it('is not a user: me is null for a key', async () => {
    const { secret } = await createKey();
    expect((await withKey(secret, '{ me { id } }')).body.data).toEqual({ me: null });
  });
});
