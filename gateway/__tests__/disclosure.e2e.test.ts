import { createHash, randomBytes } from 'node:crypto';
import { anonymousContext } from '../../platform/context/request-context';
import { postGraphQL, codeOf } from '../../testing/graphql-client';
import { signUpPlatformAdmin, signUpUser, type TestUser } from '../../testing/members';
import { signedHeaders } from '../../testing/internal-requests';
import { startStack, type TestStack } from '../../testing/stack';
import { connectWs } from '../../testing/ws-client';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';

// What a caller can learn beyond what it sent, through the real processes: whether someone
// else sent a query (automatic persisted queries), and, with introspection off as in
// production, the schema through "Did you mean …?" suggestions, over HTTP, over graphql-ws,
// and from a subgraph running with NODE_ENV=production.

let stack: TestStack;
let productionSubgraph: ServiceProcess;
let admin: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: { GATEWAY_INTROSPECTION: 'false' },
  });
  productionSubgraph = await spawnService('observability', {
    env: {
      ...stack.envOf('observability'),
      NODE_ENV: 'production',
      GATEWAY_INTERNAL_URL: stack.url('gateway'),
      // Production refuses the development key, which encrypts alert channels' secrets.
      ENCRYPTION_KEYS: `disclosure:${randomBytes(32).toString('base64')}`,
    },
  });
  [admin, stranger] = await Promise.all([
    signUpPlatformAdmin(stack.gatewayUrl, stack.db),
    signUpUser(stack.gatewayUrl, 'stranger'),
  ]);
}, 120_000);

afterAll(async () => {
  await productionSubgraph?.stop();
  await stack?.stop();
});

describe('automatic persisted queries', () => {
  // A platform admin looks someone up by email: the text, literal included, is the secret.
  const query = '{ users(search: "ceo@victim.example") { nodes { id } } }';
  const persistedQuery = {
    version: 1,
    sha256Hash: createHash('sha256').update(query).digest('hex'),
  };
  const byHash = (headers: Record<string, string>) =>
    postGraphQL(stack.gatewayUrl, JSON.stringify({ extensions: { persistedQuery } }), headers);

  it('tells no other caller whether a query was sent: a hash is known only to whoever registered it', async () => {
    const registered = await postGraphQL(
      stack.gatewayUrl,
      JSON.stringify({ query, extensions: { persistedQuery } }),
      admin.headers(),
    );
    expect(registered.body.errors).toBeUndefined();
    // The one who sent it runs it by hash alone.
    expect((await byHash(admin.headers())).body).toEqual(registered.body);
    // Anyone else, signed in or not, gets what a hash nobody sent gets.
    for (const headers of [stranger.headers(), {}]) {
      const probe = await byHash(headers);
      expect(codeOf(probe)).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(probe.body.data).toBeUndefined();
    }
  });
});

describe('with introspection off', () => {
  const expectNoSuggestion = (text: string) => expect(text).not.toMatch(/Did you mean/);

  it('names nothing of the schema the query did not name, over HTTP', async () => {
    const field = await postGraphQL(stack.gatewayUrl, { query: '{ adminJob }' });
    expect(field.status).toBe(400);
    expect(field.body.errors?.[0]).toMatchObject({
      message: 'Cannot query field "adminJob" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const argument = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenants(statu: ACTIVE) { nodes { id } } }' },
      admin.headers(),
    );
    expect(argument.body.errors?.[0]?.message).toBe(
      'Unknown argument "statu" on field "Query.tenants".',
    );
    // An enum value in a variable is coerced after the access checks, by the executor.
    const enumValue = await postGraphQL(
      stack.gatewayUrl,
      {
        query: 'query ($s: TenantStatus) { tenants(status: $s) { nodes { id } } }',
        variables: { s: 'SUSPENDE' },
      },
      admin.headers(),
    );
    expect(codeOf(enumValue)).toBe('BAD_USER_INPUT');
    for (const response of [field, argument, enumValue]) expectNoSuggestion(response.text);
    expect(enumValue.text).not.toContain('SUSPENDED');
  });

  it('names nothing of it over graphql-ws either, and refuses introspection there too', async () => {
    const socket = connectWs(stack.gatewayUrl, {});
    try {
      for (const operation of ['{ adminJob }', '{ __schema { types { name } } }']) {
        const refused = socket.subscribe(operation);
        await refused.ended;
        expect(refused.results).toEqual([]);
        const text = JSON.stringify(refused.errors);
        expect(text).toContain('GRAPHQL_VALIDATION_FAILED');
        expectNoSuggestion(text);
      }
    } finally {
      await socket.dispose();
    }
  });

  it('names nothing of it from a subgraph in production, even to a gateway-signed call', async () => {
    const body = JSON.stringify({ query: '{ healt { status } }' });
    const response = await fetch(`${productionSubgraph.url}/graphql`, {
      method: 'POST',
      headers: signedHeaders(
        stack.keys,
        { to: 'observability', path: '/graphql', body },
        { as: 'gateway', context: anonymousContext('direct-typo') },
      ),
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).toContain('Cannot query field \\"healt\\" on type \\"Query\\".');
    expectNoSuggestion(text);
  });
});
