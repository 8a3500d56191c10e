import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '../../../platform/crypto/tokens';
import { postGraphQL, codeOf } from '../../../testing/graphql-client';
import { signUpMember, signUpUser, type TestUser } from '../../../testing/members';
import { TestOAuthProvider, type ProviderAccount } from '../../../testing/oauth-provider';
import { startStack, type TestStack } from '../../../testing/stack';
import { SoftwareAuthenticator } from '../../../testing/webauthn-authenticator';
import { AuthClient, type Tokens } from './auth-client';
import { PasskeyClient } from './passkey-client';

// OAuth sign-in and linking against real (local) providers: the gateway, auth and tenancy
// processes, providers configured by a tenant admin, and the browser's part played by the test.
// `provider` is a tenant's own server; `trusted` stands for an issuer the operator lists in
// OAUTH_TRUSTED_ISSUERS (a Google, say). Both run on loopback http, allowed outside production.

const tenantId = randomUUID();
const REDIRECT = 'https://app.example.com/oauth/callback';
const ORIGIN = 'https://app.tessera.test';
let stack: TestStack;
let provider: TestOAuthProvider;
let trusted: TestOAuthProvider;
let admin: TestUser;
let passkeys: PasskeyClient;

const START = `mutation ($provider: String!, $tenantId: ID, $redirectUri: String!) {
  startOAuth(provider: $provider, tenantId: $tenantId, redirectUri: $redirectUri) { authorizationUrl state } }`;
const COMPLETE = `mutation ($provider: String!, $code: String!, $state: String!) {
  completeOAuth(provider: $provider, code: $code, state: $state) { accessToken refreshToken user { id email emailVerified } } }`;
const COMPLETE_SIGN_IN = `mutation ($provider: String!, $code: String!, $state: String!) {
  completeOAuthSignIn(provider: $provider, code: $code, state: $state) {
    __typename ... on AuthPayload { accessToken user { id } } ... on MfaChallenge { mfaToken methods } } }`;
const LINK = `mutation ($provider: String!, $code: String!, $state: String!) {
  linkOAuth(provider: $provider, code: $code, state: $state) { provider providerUserId linkedAt } }`;

beforeAll(async () => {
  provider = new TestOAuthProvider();
  trusted = new TestOAuthProvider();
  await Promise.all([provider.start(), trusted.start()]);
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: {
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      OAUTH_REDIRECT_ORIGINS: 'https://app.example.com',
      OAUTH_TRUSTED_ISSUERS: trusted.url,
      AUTH_ATTEMPTS_PER_IP: '1000',
      WEBAUTHN_RP_ID: 'tessera.test',
      WEBAUTHN_ORIGINS: ORIGIN,
    },
  });
  passkeys = new PasskeyClient(new AuthClient(stack.gatewayUrl));
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'oauth-co', 'OAuth Co')`,
    [tenantId],
  );
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
  await configure('acme-id', provider.endpoints);
  await configure('discovered', { issuer: provider.url });
  await configure('metadata', {
    authorizationUrl: `${provider.url}/authorize`,
    tokenUrl: 'https://169.254.169.254/latest/meta-data/',
    userInfoUrl: `${provider.url}/userinfo`,
  });
  await configure('trusted-id', { issuer: trusted.url }, true, trusted);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([provider?.stop(), trusted?.stop()]);
});

function configureOAuthProvider(input: Record<string, unknown>) {
  return postGraphQL(
    stack.gatewayUrl,
    {
      query: `mutation ($input: OAuthProviderInput!) { configureOAuthProvider(input: $input) { provider enabled } }`,
      variables: { input },
    },
    admin.headers(tenantId),
  );
}

async function configure(
  name: string,
  endpoints: Record<string, string>,
  enabled = true,
  server = provider,
) {
  const response = await configureOAuthProvider({
    provider: name,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    enabled,
    ...endpoints,
  });
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

function completeSignIn(name: string, code: string, state: string) {
  return postGraphQL<{
    completeOAuthSignIn: {
      __typename: string;
      accessToken?: string;
      user?: { id: string };
      mfaToken?: string;
      methods?: string[];
    };
  }>(stack.gatewayUrl, { query: COMPLETE_SIGN_IN, variables: { provider: name, code, state } });
}

/** The browser's round trip: start, the person approves at the provider, the code comes back. */
async function approved(person: ProviderAccount, name = 'acme-id', server = provider) {
  const started = await start(name);
  return server.approve(started.authorizationUrl, person);
}

async function signInWith(person: ProviderAccount, name = 'acme-id', server = provider) {
  const { code, state } = await approved(person, name, server);
  return complete(name, code, state);
}

async function signInAnsweringMfa(person: ProviderAccount, name = 'acme-id', server = provider) {
  const { code, state } = await approved(person, name, server);
  return completeSignIn(name, code, state);
}

async function linkAs(user: TestUser, person: ProviderAccount, name = 'acme-id') {
  const started = await start(name, user.headers());
  const { code, state } = provider.approve(started.authorizationUrl, person);
  return postGraphQL(
    stack.gatewayUrl,
    { query: LINK, variables: { provider: name, code, state } },
    user.headers(),
  );
}

/** A signed-up user with a verified email and, when asked, a passkey as second factor. */
async function verifiedUser(label: string, withPasskey = false) {
  const user = await signUpUser(stack.gatewayUrl, label);
  await stack.db.query(`UPDATE auth.users SET email_verified = true WHERE id = $1`, [user.id]);
  const authenticator = new SoftwareAuthenticator(ORIGIN);
  if (withPasskey) {
    const tokens = { accessToken: user.accessToken } as Tokens;
    await passkeys.register(tokens, authenticator);
  }
  return { user, authenticator };
}

async function linksOf(userId: string): Promise<{ provider: string; held: boolean }[]> {
  return stack.db.query(
    `SELECT provider, held FROM auth.oauth_links WHERE user_id = $1 ORDER BY linked_at`,
    [userId],
  );
}

async function liveSessions(userId: string): Promise<number> {
  const [row] = await stack.db.query<{ count: string }>(
    `SELECT count(*) FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL`,
    [userId],
  );
  return Number(row?.count);
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
    // A tenant's provider vouches for no address: the new account's email is not verified.
    expect(user).toMatchObject({ email: person.email, emailVerified: false });
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

describe('account takeover through a provider', () => {
  it("never joins an existing account on a tenant's provider's word about its email", async () => {
    const { user: victim } = await verifiedUser('victim');
    // The attacker's tenant runs the provider, so it says whatever the attacker wants.
    const claim = account({ email: victim.email, email_verified: true });
    for (const attempt of [signInWith, signInAnsweringMfa]) {
      const response = await attempt({ ...claim, sub: randomUUID() });
      expect(codeOf(response)).toBe('CONFLICT');
      expect(response.body.errors?.[0]?.message).toMatch(/sign in to it and link/);
      expect(JSON.stringify(response.body.data ?? null)).not.toContain(victim.id);
    }
    expect(await linksOf(victim.id)).toEqual([]);
    expect(await liveSessions(victim.id)).toBe(1);
  });

  it('trusts nothing from a provider that names a trusted issuer but brings its own endpoints', async () => {
    await configure('posing', { ...provider.endpoints, issuer: trusted.url });
    const { user: victim } = await verifiedUser('posed');
    const response = await signInWith(
      account({ email: victim.email, email_verified: true }),
      'posing',
    );
    expect(codeOf(response)).toBe('CONFLICT');
    expect(await linksOf(victim.id)).toEqual([]);
  });

  it('joins through a trusted issuer only when both sides verified the email', async () => {
    const unverified = await signUpUser(stack.gatewayUrl, 'unverified');
    const refused = await signInWith(
      account({ email: unverified.email, email_verified: true }),
      'trusted-id',
      trusted,
    );
    expect(codeOf(refused)).toBe('CONFLICT');
    const { user } = await verifiedUser('trusting');
    const unproven = await signInWith(
      account({ email: user.email, email_verified: false }),
      'trusted-id',
      trusted,
    );
    expect(codeOf(unproven)).toBe('CONFLICT');

    const joined = await signInWith(
      account({ email: user.email, email_verified: true }),
      'trusted-id',
      trusted,
    );
    expect(joined.body.data?.completeOAuth.user.id).toBe(user.id);
    expect(await linksOf(user.id)).toEqual([{ provider: 'trusted-id', held: false }]);
    const created = await signInWith(account(), 'trusted-id', trusted);
    expect(created.body.data?.completeOAuth.user.emailVerified).toBe(true);
  });

  it('asks for the passkey of an account signing in through a linked provider', async () => {
    const { user, authenticator } = await verifiedUser('mfa-linked', true);
    const person = account();
    expect((await linkAs(user, person)).body.errors).toBeUndefined();

    // completeOAuth can only answer with a session: it refuses, naming the call that asks.
    const refused = await signInWith(person);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.message).toMatch(/completeOAuthSignIn/);
    expect(refused.body.data ?? null).toBeNull();

    const challenged = await signInAnsweringMfa(person);
    const challenge = challenged.body.data?.completeOAuthSignIn;
    expect(challenge).toEqual({
      __typename: 'MfaChallenge',
      mfaToken: expect.stringMatching(/^mfa_/),
      methods: ['passkey'],
    });
    const stranger = new SoftwareAuthenticator(ORIGIN);
    await passkeys.register(
      { accessToken: (await signUpUser(stack.gatewayUrl, 'stranger')).accessToken } as Tokens,
      stranger,
    );
    const wrongKey = await passkeys.signIn(stranger, { mfaToken: challenge!.mfaToken });
    expect(codeOf(wrongKey)).toBe('UNAUTHENTICATED');

    const again = (await signInAnsweringMfa(person)).body.data!.completeOAuthSignIn;
    const finished = await passkeys.signIn(authenticator, { mfaToken: again.mfaToken });
    expect(finished.body.data?.finishPasskeyAuthentication.user.id).toBe(user.id);
  });

  it('asks a trusted issuer for the second factor too', async () => {
    const { user, authenticator } = await verifiedUser('mfa-trusted', true);
    const person = account({ email: user.email, email_verified: true });
    expect(codeOf(await signInWith(person, 'trusted-id', trusted))).toBe('FORBIDDEN');
    const challenged = await signInAnsweringMfa(person, 'trusted-id', trusted);
    const mfaToken = challenged.body.data?.completeOAuthSignIn.mfaToken;
    expect(mfaToken).toBeDefined();
    const finished = await passkeys.signIn(authenticator, { mfaToken });
    expect(finished.body.data?.finishPasskeyAuthentication.user.id).toBe(user.id);
  });

  it('answers completeOAuthSignIn with a session when the account has no second factor', async () => {
    const response = await signInAnsweringMfa(account());
    expect(response.body.data?.completeOAuthSignIn).toMatchObject({
      __typename: 'AuthPayload',
      accessToken: expect.any(String),
    });
  });

  it('signs nobody in through a held link until its user links the provider again', async () => {
    // A link the old email match made (see the HoldOAuthLinksJoinedByEmail migration).
    const { user } = await verifiedUser('held');
    const person = account({ email: user.email });
    await stack.db.query(
      `INSERT INTO auth.oauth_links (tenant_id, user_id, provider, provider_user_id, email, held)
       VALUES ($1, $2, 'acme-id', $3, $4, true)`,
      [tenantId, user.id, person.sub, person.email],
    );
    const held = await signInWith(person);
    expect(codeOf(held)).toBe('CONFLICT');
    expect(await liveSessions(user.id)).toBe(1);

    expect((await linkAs(user, person)).body.errors).toBeUndefined();
    expect(await linksOf(user.id)).toEqual([{ provider: 'acme-id', held: false }]);
    const signedIn = await signInWith(person);
    expect(signedIn.body.data?.completeOAuth.user.id).toBe(user.id);
  });
});

describe('an address claimed through a provider before its owner came', () => {
  it("holds the claimant's link when the owner first proves the mailbox by a password reset", async () => {
    // The attacker's provider claims an address that has no account yet: a new account.
    const claimant = account({ email: `claimed-${randomUUID().slice(0, 8)}@example.com` });
    const created = await signInWith(claimant);
    const userId = created.body.data!.completeOAuth.user.id;
    // The mailbox's owner resets the password: the token is arranged as the mail carries it.
    const token = randomBytes(32).toString('base64url');
    await stack.db.query(
      `INSERT INTO auth.email_tokens (user_id, purpose, token_hash, expires_at)
       VALUES ($1, 'reset_password', $2, now() + interval '1 hour')`,
      [userId, hashToken(token)],
    );
    const reset = await postGraphQL(stack.gatewayUrl, {
      query: `mutation ($token: String!) { resetPassword(token: $token, newPassword: "the owner's passphrase 8") }`,
      variables: { token },
    });
    expect(reset.body.data).toEqual({ resetPassword: true });

    expect(codeOf(await signInWith(claimant))).toBe('CONFLICT');
    expect(await linksOf(userId)).toEqual([{ provider: 'acme-id', held: true }]);
  });
});

describe('provider endpoints', () => {
  it.each([
    ['an http authorization URL off loopback', { authorizationUrl: 'http://idp.example.com/a' }],
    ['an http token URL off loopback', { tokenUrl: 'http://10.0.0.8/token' }],
    ['an http issuer off loopback', { issuer: 'http://idp.example.com', authorizationUrl: null }],
    ['a javascript: authorization URL', { authorizationUrl: 'javascript:alert(1)//' }],
  ])('refuses to configure %s', async (_case, change) => {
    const response = await configureOAuthProvider({
      provider: 'unsafe',
      clientId: 'c',
      clientSecret: 's',
      ...provider.endpoints,
      issuer: null,
      ...change,
    });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a javascript: authorization endpoint', { authorization_endpoint: 'javascript:alert(1)//' }],
    ['an http token endpoint off loopback', { token_endpoint: 'http://idp.example.com/token' }],
    ['a data: user-info endpoint', { userinfo_endpoint: 'data:application/json,{}' }],
  ])('refuses a discovery document with %s when it is used', async (_case, discovery) => {
    const rogue = new TestOAuthProvider({ discovery });
    await rogue.start();
    try {
      const name = `rogue-${randomUUID().slice(0, 8)}`;
      await configure(name, { issuer: rogue.url }, true, rogue);
      const response = await postGraphQL(stack.gatewayUrl, {
        query: START,
        variables: { provider: name, tenantId, redirectUri: REDIRECT },
      });
      expect(codeOf(response)).toBe('SERVICE_UNAVAILABLE');
      expect(response.text).not.toContain('javascript:');
    } finally {
      await rogue.stop();
    }
  });

  it('refuses an endpoint stored under an older rule when it is used', async () => {
    await configure('legacy', provider.endpoints);
    await stack.db.query(
      `UPDATE tenancy.oauth_providers SET authorization_url = 'http://idp.example.com/authorize'
        WHERE tenant_id = $1 AND provider = 'legacy'`,
      [tenantId],
    );
    const response = await postGraphQL(stack.gatewayUrl, {
      query: START,
      variables: { provider: 'legacy', tenantId, redirectUri: REDIRECT },
    });
    expect(codeOf(response)).toBe('SERVICE_UNAVAILABLE');
    expect(response.body.errors?.[0]?.message).toMatch(/authorizationUrl must be an https URL/);
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
