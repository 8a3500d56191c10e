import { randomUUID } from 'node:crypto';
import { postGraphQL } from '../../../platform/testing/graphql-client';
import { signUpMember, signUpUser, type TestUser } from '../../../platform/testing/members';
import { TestOAuthProvider, type ProviderAccount } from '../../../platform/testing/oauth-provider';
import { startStack, type TestStack } from '../../../platform/testing/stack';
import { codeOf } from './auth-client';

// OAuth sign-in and linking against a real (local) provider: the gateway, auth and tenancy
// processes, a provider configured by a tenant admin, and the browser's part played by the test.

const tenantId = randomUUID();
const REDIRECT = 'https://app.example.com/oauth/callback';
let stack: TestStack;
let provider: TestOAuthProvider;
let admin: TestUser;

const START = `mutation ($provider: String!, $tenantId: ID, $redirectUri: String!) {
  startOAuth(provider: $provider, tenantId: $tenantId, redirectUri: $redirectUri) { authorizationUrl state } }`;
const COMPLETE = `mutation ($provider: String!, $code: String!, $state: String!) {
  completeOAuth(provider: $provider, code: $code, state: $state) { accessToken refreshToken user { id email emailVerified } } }`;
const LINK = `mutation ($provider: String!, $code: String!, $state: String!) {
  linkOAuth(provider: $provider, code: $code, state: $state) { provider providerUserId linkedAt } }`;

beforeAll(async () => {
  provider = new TestOAuthProvider();
  await provider.start();
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: {
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      OAUTH_REDIRECT_ORIGINS: 'https://app.example.com',
    },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'oauth-co', 'OAuth Co')`,
    [tenantId],
  );
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
  await configure('acme-id', provider.endpoints);
  await configure('discovered', { issuer: provider.url });
  await configure('metadata', {
    authorizationUrl: `${provider.url}/authorize`,
    tokenUrl: 'http://169.254.169.254/latest/meta-data/',
    userInfoUrl: `${provider.url}/userinfo`,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await provider?.stop();
});

async function configure(name: string, endpoints: Record<string, string>, enabled = true) {
  const response = await postGraphQL(
    stack.gatewayUrl,
    {
      query: `mutation ($input: OAuthProviderInput!) { configureOAuthProvider(input: $input) { provider enabled } }`,
      variables: {
        input: {
          provider: name,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          enabled,
          ...endpoints,
        },
      },
    },
    admin.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`configureOAuthProvider failed: ${response.text}`);
}

const account = (overrides: Partial<ProviderAccount> = {}): ProviderAccount => ({
  sub: randomUUID(),
  email: `oauth-${randomUUID().slice(0, 8)}@example.com`,
  email_verified: true,
  ...overrides,
});

async function start(name = 'acme-id', headers: Record<string, string> = {}) {
  const response = await postGraphQL<{ startOAuth: { authorizationUrl: string; state: string } }>(
    stack.gatewayUrl,
    { query: START, variables: { provider: name, tenantId, redirectUri: REDIRECT } },
    headers,
  );
  if (!response.body.data) throw new Error(`startOAuth failed: ${response.text}`);
  return response.body.data.startOAuth;
}

function complete(name: string, code: string, state: string) {
  return postGraphQL<{
    completeOAuth: {
      accessToken: string;
      user: { id: string; email: string; emailVerified: boolean };
    };
  }>(stack.gatewayUrl, { query: COMPLETE, variables: { provider: name, code, state } });
}

async function signInWith(person: ProviderAccount, name = 'acme-id') {
  const started = await start(name);
  const { code, state } = provider.approve(started.authorizationUrl, person);
  return complete(name, code, state);
}

describe('signing in with a provider', () => {
  it('sends the browser to the provider with PKCE and a state', async () => {
    const { authorizationUrl, state } = await start();
    const url = new URL(authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${provider.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: REDIRECT,
      state,
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('creates an account on first sign-in and signs the same person in again later', async () => {
    const person = account();
    const first = await signInWith(person);
    expect(first.body.errors).toBeUndefined();
    const user = first.body.data!.completeOAuth.user;
    expect(user).toMatchObject({ email: person.email, emailVerified: true });
    const again = await signInWith(person);
    expect(again.body.data?.completeOAuth.user.id).toBe(user.id);

    const me = await postGraphQL<{
      me: { oauthLinks: { provider: string; providerUserId: string }[] };
    }>(
      stack.gatewayUrl,
      { query: '{ me { oauthLinks { provider providerUserId linkedAt } } }' },
      { authorization: `Bearer ${again.body.data!.completeOAuth.accessToken}` },
    );
    expect(me.body.data?.me.oauthLinks).toEqual([
      expect.objectContaining({ provider: 'acme-id', providerUserId: person.sub }),
    ]);
  });

  it('finds the endpoints through OIDC discovery when only an issuer is configured', async () => {
    const response = await signInWith(account(), 'discovered');
    expect(response.body.errors).toBeUndefined();
  });

  it('refuses a used, unknown or mismatched state', async () => {
    const started = await start();
    const { code, state } = provider.approve(started.authorizationUrl, account());
    expect((await complete('acme-id', code, state)).body.errors).toBeUndefined();
    const replay = await complete('acme-id', code, state);
    expect(codeOf(replay)).toBe('BAD_USER_INPUT');
    expect(codeOf(await complete('acme-id', code, 'A'.repeat(43)))).toBe('BAD_USER_INPUT');
    const other = await start();
    expect(codeOf(await complete('discovered', 'some-code', other.state))).toBe('BAD_USER_INPUT');
  });

  it("refuses a code approved for another flow: the PKCE verifier doesn't match", async () => {
    const victims = await start();
    const attackers = await start();
    const { code } = provider.approve(victims.authorizationUrl, account());
    const response = await complete('acme-id', code, attackers.state);
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['an unknown provider', { provider: 'nobody' }, 'NOT_FOUND'],
    ['a bad provider name', { provider: 'Bad Name!' }, 'BAD_USER_INPUT'],
    [
      'a redirect to another site',
      { redirectUri: 'https://evil.example.net/callback' },
      'BAD_USER_INPUT',
    ],
    ['a redirect with a fragment', { redirectUri: `${REDIRECT}#x` }, 'BAD_USER_INPUT'],
    ['no tenant', { tenantId: null }, 'BAD_USER_INPUT'],
    ['a malformed tenant id', { tenantId: 'abc' }, 'BAD_USER_INPUT'],
  ])('refuses to start with %s', async (_case, overrides, code) => {
    const response = await postGraphQL(stack.gatewayUrl, {
      query: START,
      variables: { provider: 'acme-id', tenantId, redirectUri: REDIRECT, ...overrides },
    });
    expect(codeOf(response)).toBe(code);
  });

  it('refuses a disabled provider', async () => {
    await configure('paused', provider.endpoints, false);
    const response = await postGraphQL(stack.gatewayUrl, {
      query: START,
      variables: { provider: 'paused', tenantId, redirectUri: REDIRECT },
    });
    expect(codeOf(response)).toBe('NOT_FOUND');
  });

  it('never calls a token endpoint on a cloud metadata address', async () => {
    const started = await start('metadata');
    const { code, state } = provider.approve(started.authorizationUrl, account());
    const response = await complete('metadata', code, state);
    expect(codeOf(response)).toBe('SERVICE_UNAVAILABLE');
  });

  it('does not take over an existing account through an unverified email', async () => {
    const existing = await signUpUser(stack.gatewayUrl, 'existing');
    const response = await signInWith(account({ email: existing.email, email_verified: true }));
    // The local account has not verified its email: the person must sign in and link.
    expect(codeOf(response)).toBe('CONFLICT');
  });
});

describe('linking and unlinking', () => {
  it('links a provider to the signed-in user, who can then sign in with it', async () => {
    const user = await signUpUser(stack.gatewayUrl, 'linker');
    const started = await start('acme-id', user.headers());
    const person = account({ email: 'someone-else@example.com' });
    const { code, state } = provider.approve(started.authorizationUrl, person);
    const linked = await postGraphQL(
      stack.gatewayUrl,
      { query: LINK, variables: { provider: 'acme-id', code, state } },
      user.headers(),
    );
    expect(linked.body.data).toEqual({
      linkOAuth: expect.objectContaining({ provider: 'acme-id', providerUserId: person.sub }),
    });
    const signedIn = await signInWith(person);
    expect(signedIn.body.data?.completeOAuth.user.id).toBe(user.id);
  });

  it('refuses to link with a flow someone else started', async () => {
    const victim = await signUpUser(stack.gatewayUrl, 'victim');
    const attacker = await signUpUser(stack.gatewayUrl, 'attacker');
    const started = await start('acme-id', attacker.headers());
    const { code, state } = provider.approve(started.authorizationUrl, account());
    const response = await postGraphQL(
      stack.gatewayUrl,
      { query: LINK, variables: { provider: 'acme-id', code, state } },
      victim.headers(),
    );
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('refuses to unlink the last way to sign in, and unlinks otherwise', async () => {
    const oauthOnly = (await signInWith(account())).body.data!.completeOAuth;
    const headers = { authorization: `Bearer ${oauthOnly.accessToken}` };
    const last = await postGraphQL(
      stack.gatewayUrl,
      { query: 'mutation { unlinkOAuth(provider: "acme-id") }' },
      headers,
    );
    expect(codeOf(last)).toBe('BAD_USER_INPUT');

    const user = await signUpUser(stack.gatewayUrl, 'unlinker');
    const started = await start('acme-id', user.headers());
    const { code, state } = provider.approve(started.authorizationUrl, account());
    await postGraphQL(
      stack.gatewayUrl,
      { query: LINK, variables: { provider: 'acme-id', code, state } },
      user.headers(),
    );
    const unlink = await postGraphQL(
      stack.gatewayUrl,
      { query: 'mutation { unlinkOAuth(provider: "acme-id") }' },
      user.headers(),
    );
    expect(unlink.body.data).toEqual({ unlinkOAuth: true });
    const again = await postGraphQL(
      stack.gatewayUrl,
      { query: 'mutation { unlinkOAuth(provider: "acme-id") }' },
      user.headers(),
    );
    expect(codeOf(again)).toBe('NOT_FOUND');
  });

  it('never writes the client secret to a log line', () => {
    const logs = stack.logs.map((line) => line.line).join('\n');
    expect(logs).not.toContain(provider.clientSecret);
  });
});
