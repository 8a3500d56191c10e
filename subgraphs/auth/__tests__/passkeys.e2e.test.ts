import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { anonymousContext } from '../../../platform/context/request-context';
import { postToSubgraph } from '../../../testing/internal-requests';
import { hashToken } from '../../../platform/crypto/tokens';
import { EventType } from '../../../platform/events/event-types';
import { eventually } from '../../../testing/eventually';
import { metricValue, scrape, codeOf } from '../../../testing/graphql-client';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';
import { SoftwareAuthenticator } from '../../../testing/webauthn-authenticator';
import { AuthClient, uniqueEmail, type Tokens } from './auth-client';
import { PasskeyClient } from './passkey-client';

// Passkeys and passkey MFA through the real gateway and auth processes, with a software
// authenticator making real P-256 credentials, so the server's WebAuthn verification runs
// unchanged. Each test signs up its own users.

const RP_ID = 'tessera.test';
const ORIGIN = 'https://app.tessera.test';
const OTHER_ORIGIN = 'https://admin.tessera.test';

let stack: TestStack;
let client: AuthClient;
let passkeys: PasskeyClient;
let redis: Redis;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth'],
    env: {
      GATEWAY_TRUST_PROXY: '1',
      WEBAUTHN_RP_ID: RP_ID,
      WEBAUTHN_RP_NAME: 'Tessera tests',
      WEBAUTHN_ORIGINS: `${ORIGIN},${OTHER_ORIGIN}`,
      WEBAUTHN_CHALLENGE_TTL_SECONDS: '300',
    },
  });
  client = new AuthClient(stack.gatewayUrl);
  passkeys = new PasskeyClient(client);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

/** A new account with one passkey on a new authenticator. */
async function userWithPasskey(label: string) {
  const email = uniqueEmail(label);
  const tokens = await client.signUp(email);
  const authenticator = new SoftwareAuthenticator(ORIGIN);
  const passkey = await passkeys.register(tokens, authenticator, `${label} laptop`);
  return { email, tokens, authenticator, passkey };
}

async function eventTypes(userId: string): Promise<string[]> {
  const rows = await stack.db.query<{ type: string }>(
    `SELECT type FROM events.events WHERE payload->>'userId' = $1 ORDER BY seq`,
    [userId],
  );
  return rows.map((row) => row.type);
}

async function attempts(kind: string, outcome: string): Promise<number> {
  return metricValue(await scrape(stack.url('auth')), 'tessera_auth_attempts_total', {
    kind,
    outcome,
  });
}

function signedIn(response: { body: { data?: { finishPasskeyAuthentication: Tokens } | null } }) {
  const tokens = response.body.data?.finishPasskeyAuthentication;
  if (!tokens) throw new Error(`not signed in: ${JSON.stringify(response.body)}`);
  return tokens;
}

describe('registering and signing in with a passkey', () => {
  it('registers a passkey, lists it, and then asks for it after the password', async () => {
    const { email, tokens, authenticator, passkey } = await userWithPasskey('mfa');
    expect(passkey).toMatchObject({ name: 'mfa laptop', lastUsedAt: null });
    expect(await passkeys.list(tokens.accessToken)).toEqual([passkey]);

    const signIn = await client.signIn(email);
    expect(signIn.body.data?.signIn).toEqual({
      __typename: 'MfaChallenge',
      mfaToken: expect.stringMatching(/^mfa_[A-Za-z0-9_-]{43}$/),
      methods: ['passkey'],
    });
    const mfaToken = (signIn.body.data!.signIn as unknown as { mfaToken: string }).mfaToken;

    const options = await passkeys.requestOptions(email);
    expect(options).toMatchObject({
      rpId: RP_ID,
      allowCredentials: [{ id: expect.any(String), type: 'public-key' }],
    });
    const finished = signedIn(
      await passkeys.finishAuthentication(authenticator.get(options), mfaToken),
    );
    expect(finished.user.id).toBe(tokens.user.id);
    expect((await client.me(finished.accessToken)).body.data?.me?.id).toBe(tokens.user.id);
    const [used] = await passkeys.list(finished.accessToken);
    expect(used?.lastUsedAt).not.toBeNull();

    expect(await eventTypes(tokens.user.id)).toEqual([
      EventType.USER_SIGNED_UP,
      EventType.PASSKEY_REGISTERED,
      EventType.MFA_CHALLENGED,
      EventType.SIGN_IN_SUCCEEDED,
    ]);
  });

  it('offers creation options bound to the RP, excluding passkeys the user has', async () => {
    const { tokens, passkey } = await userWithPasskey('options');
    const [stored] = await stack.db.query<{ credential_id: string }>(
      `SELECT credential_id FROM auth.passkeys WHERE id = $1`,
      [passkey.id],
    );
    const options = await passkeys.creationOptions(tokens);
    expect(options).toMatchObject({
      rp: { id: RP_ID, name: 'Tessera tests' },
      user: { name: tokens.user.email },
      attestation: 'none',
      excludeCredentials: [{ id: stored!.credential_id, type: 'public-key' }],
    });
  });

  it('signs in without a password with a discoverable passkey, from any configured origin', async () => {
    const { email, tokens, authenticator } = await userWithPasskey('passwordless');
    const discoverable = signedIn(await passkeys.signIn(authenticator));
    expect(discoverable.user).toEqual({ id: tokens.user.id, email });

    const fromOtherOrigin = signedIn(
      await passkeys.signIn(authenticator, { email, overrides: { origin: OTHER_ORIGIN } }),
    );
    expect(fromOtherOrigin.user.id).toBe(tokens.user.id);
  });

  it('signs in with an authenticator that does not count signatures', async () => {
    const email = uniqueEmail('nocount');
    const tokens = await client.signUp(email);
    const authenticator = new SoftwareAuthenticator(ORIGIN, false);
    await passkeys.register(tokens, authenticator);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(signedIn(await passkeys.signIn(authenticator)).user.id).toBe(tokens.user.id);
    }
  });

  it('requires user verification for a passwordless sign-in, not for the second factor', async () => {
    const { email, authenticator } = await userWithPasskey('uv');
    const unverified = await passkeys.signIn(authenticator, {
      overrides: { userVerified: false },
    });
    expect(codeOf(unverified)).toBe('UNAUTHENTICATED');

    const mfaToken = await passkeys.mfaToken(email);
    const secondFactor = await passkeys.signIn(authenticator, {
      email,
      mfaToken,
      overrides: { userVerified: false },
    });
    expect(signedIn(secondFactor).user.email).toBe(email);
  });

  it('refuses an email that names another account than the passkey answering', async () => {
    const alice = await userWithPasskey('alice');
    const bob = await userWithPasskey('bob');
    const options = await passkeys.requestOptions(alice.email);
    const response = bob.authenticator.get(options, {
      credentialId: [...bob.authenticator.credentials.keys()][0],
    });
    expect(codeOf(await passkeys.finishAuthentication(response))).toBe('UNAUTHENTICATED');
  });

  it('answers an address without passkeys with the same shape, and signs nobody in', async () => {
    const email = uniqueEmail('nopasskey');
    await client.signUp(email);
    const first = await passkeys.requestOptions(email);
    const again = await passkeys.requestOptions(email);
    const unknown = await passkeys.requestOptions(uniqueEmail('ghost'));
    for (const options of [first, unknown]) {
      expect(options.allowCredentials).toEqual([
        { id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), type: 'public-key' },
      ]);
    }
    expect(again.allowCredentials).toEqual(first.allowCredentials);
    expect(codeOf(await passkeys.startAuthentication('not an email'))).toBe('BAD_USER_INPUT');
  });
});

describe('refusing what a passkey ceremony must not accept', () => {
  it('refuses a registration response presented twice', async () => {
    const tokens = await client.signUp(uniqueEmail('replay-reg'));
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const response = authenticator.create(await passkeys.creationOptions(tokens));
    const first = await passkeys.finishRegistration(tokens.accessToken, response);
    expect(first.body.data?.finishPasskeyRegistration.id).toEqual(expect.any(String));
    const second = await passkeys.finishRegistration(tokens.accessToken, response);
    expect(codeOf(second)).toBe('BAD_USER_INPUT');
    expect(await passkeys.list(tokens.accessToken)).toHaveLength(1);
  });

  it('refuses an assertion presented twice', async () => {
    const { authenticator } = await userWithPasskey('replay-auth');
    const response = authenticator.get(await passkeys.requestOptions());
    signedIn(await passkeys.finishAuthentication(response));
    expect(codeOf(await passkeys.finishAuthentication(response))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['an origin that is not configured', { origin: 'https://evil.example' }],
    ['a look-alike origin', { origin: 'https://app.tessera.test.evil.example' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['a challenge the server never issued', { challenge: 'A'.repeat(43) }],
    ['the wrong ceremony type', { type: 'webauthn.get' }],
    ['no user presence', { userPresent: false }],
  ])('refuses a registration with %s as BAD_USER_INPUT', async (_case, overrides) => {
    const tokens = await client.signUp(uniqueEmail('bad-reg'));
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const response = authenticator.create(await passkeys.creationOptions(tokens), overrides);
    const finished = await passkeys.finishRegistration(tokens.accessToken, response);
    expect(codeOf(finished)).toBe('BAD_USER_INPUT');
    expect(await passkeys.list(tokens.accessToken)).toEqual([]);
  });

  it.each([
    ['an origin that is not configured', { origin: 'https://evil.example' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['a challenge the server never issued', { challenge: 'A'.repeat(43) }],
    ['the wrong ceremony type', { type: 'webauthn.create' }],
  ])('refuses an assertion with %s as UNAUTHENTICATED', async (_case, overrides) => {
    const { authenticator } = await userWithPasskey('bad-auth');
    expect(codeOf(await passkeys.signIn(authenticator, { overrides }))).toBe('UNAUTHENTICATED');
    // Nothing was spent: the real passkey still works.
    signedIn(await passkeys.signIn(authenticator));
  });

  it('refuses a tampered signature', async () => {
    const { authenticator } = await userWithPasskey('tamper');
    const response = authenticator.get(await passkeys.requestOptions());
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 0x01;
    response.response.signature = signature.toString('base64url');
    const refused = await passkeys.finishAuthentication(response);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(refused.body.errors?.[0]?.message).toBe('The passkey could not be verified');
  });

  it('refuses tampered client data, even with a valid signature over the original', async () => {
    const { authenticator } = await userWithPasskey('tamper-client');
    const options = await passkeys.requestOptions();
    const response = authenticator.get(options);
    const clientData = JSON.parse(
      Buffer.from(response.response.clientDataJSON, 'base64url').toString(),
    ) as Record<string, unknown>;
    response.response.clientDataJSON = Buffer.from(
      JSON.stringify({ ...clientData, crossOrigin: true }),
    ).toString('base64url');
    expect(codeOf(await passkeys.finishAuthentication(response))).toBe('UNAUTHENTICATED');
  });

  it('refuses a signature counter that did not go up, as from a cloned authenticator', async () => {
    const { authenticator } = await userWithPasskey('clone');
    const clone = authenticator.clone();
    signedIn(await passkeys.signIn(authenticator));
    signedIn(await passkeys.signIn(authenticator));
    const before = await attempts('passkey_sign_in', 'counter_regression');
    // The clone still counts from where it was copied (0 → 1), behind the original's 2.
    expect(codeOf(await passkeys.signIn(clone))).toBe('UNAUTHENTICATED');
    // Repeating the last value is refused too.
    expect(codeOf(await passkeys.signIn(authenticator, { overrides: { counter: 2 } }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await attempts('passkey_sign_in', 'counter_regression')).toBe(before + 2);
    signedIn(await passkeys.signIn(authenticator));
  });

  it('refuses registration without a signed-in user', async () => {
    expect(codeOf(await passkeys.startRegistration())).toBe('UNAUTHENTICATED');
    const tokens = await client.signUp(uniqueEmail('anon-reg'));
    const response = new SoftwareAuthenticator(ORIGIN).create(
      await passkeys.creationOptions(tokens),
    );
    expect(codeOf(await passkeys.finishRegistration(undefined, response))).toBe('UNAUTHENTICATED');
  });

  it("refuses to finish another user's registration", async () => {
    const alice = await client.signUp(uniqueEmail('reg-alice'));
    const bob = await client.signUp(uniqueEmail('reg-bob'));
    const response = new SoftwareAuthenticator(ORIGIN).create(
      await passkeys.creationOptions(alice),
    );
    expect(codeOf(await passkeys.finishRegistration(bob.accessToken, response))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses an oversized or malformed response', async () => {
    const tokens = await client.signUp(uniqueEmail('oversized'));
    const huge = { id: 'x', padding: 'a'.repeat(200 * 1024) };
    const codes = [
      codeOf(await passkeys.finishRegistration(tokens.accessToken, huge)),
      codeOf(await passkeys.finishAuthentication(huge)),
    ];
    expect(codes).toEqual(['PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE']);
    for (const malformed of [{}, 'a string', [1, 2, 3], { id: 'abc', response: 42 }]) {
      expect(codeOf(await passkeys.finishRegistration(tokens.accessToken, malformed))).toBe(
        'BAD_USER_INPUT',
      );
      expect(codeOf(await passkeys.finishAuthentication(malformed))).toBe('BAD_USER_INPUT');
    }
  });
});

describe('the passkey step of a password sign-in', () => {
  it('spends the MFA token on first use', async () => {
    const { email, authenticator } = await userWithPasskey('reuse');
    const mfaToken = await passkeys.mfaToken(email);
    signedIn(await passkeys.signIn(authenticator, { email, mfaToken }));
    expect(codeOf(await passkeys.signIn(authenticator, { email, mfaToken }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses an expired or made-up MFA token', async () => {
    const { email, authenticator, tokens } = await userWithPasskey('expired');
    const mfaToken = await passkeys.mfaToken(email);
    const key = `${stack.redisPrefix}:auth:mfa:${hashToken(mfaToken)}`;
    expect(await redis.get(key)).toBe(tokens.user.id);
    expect(await redis.ttl(key)).toBeGreaterThan(250);
    await redis.pexpire(key, 1);
    // Expired is gone: wait for Redis to say so, not for a time.
    await eventually(async () => (await redis.exists(key)) === 0);
    for (const token of [mfaToken, `mfa_${'A'.repeat(43)}`, 'x'.repeat(5000)]) {
      expect(codeOf(await passkeys.signIn(authenticator, { email, mfaToken: token }))).toBe(
        'UNAUTHENTICATED',
      );
    }
  });

  it("refuses one user's MFA token with another user's passkey", async () => {
    const alice = await userWithPasskey('mfa-alice');
    const bob = await userWithPasskey('mfa-bob');
    const mfaToken = await passkeys.mfaToken(alice.email);
    const refused = await passkeys.signIn(bob.authenticator, { mfaToken });
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    const [bobsPasskey] = await passkeys.list(bob.tokens.accessToken);
    expect(bobsPasskey?.lastUsedAt).toBeNull();
  });

  it('signs in with the password alone again once the last passkey is removed', async () => {
    const { email, tokens, passkey } = await userWithPasskey('remove-mfa');
    expect((await passkeys.remove(tokens.accessToken, passkey.id)).body.data).toEqual({
      removePasskey: true,
    });
    expect((await client.signIn(email)).body.data?.signIn.__typename).toBe('AuthPayload');
    expect(await eventTypes(tokens.user.id)).toContain(EventType.PASSKEY_REMOVED);
  });
});

describe('managing passkeys', () => {
  it("answers NOT_FOUND for another user's passkey or a malformed id", async () => {
    const alice = await userWithPasskey('owner');
    const bob = await client.signUp(uniqueEmail('stranger'));
    for (const id of [alice.passkey.id, randomUUID(), 'not-an-id']) {
      expect(codeOf(await passkeys.remove(bob.accessToken, id))).toBe('NOT_FOUND');
    }
    expect(await passkeys.list(alice.tokens.accessToken)).toHaveLength(1);
  });

  it('keeps the last passkey of an account without a password', async () => {
    const { tokens, passkey } = await userWithPasskey('passwordless-only');
    await stack.db.query(`UPDATE auth.users SET password_hash = NULL WHERE id = $1`, [
      tokens.user.id,
    ]);
    expect(codeOf(await passkeys.remove(tokens.accessToken, passkey.id))).toBe('BAD_USER_INPUT');
    const second = await passkeys.register(tokens, new SoftwareAuthenticator(ORIGIN), 'phone');
    expect((await passkeys.remove(tokens.accessToken, passkey.id)).body.data).toEqual({
      removePasskey: true,
    });
    expect(codeOf(await passkeys.remove(tokens.accessToken, second.id))).toBe('BAD_USER_INPUT');
    expect(await passkeys.list(tokens.accessToken)).toEqual([second]);
  });

  it('shows passkeys to their user and platform admins, and an empty list to anyone else', async () => {
    const alice = await userWithPasskey('visible');
    const bob = await client.signUp(uniqueEmail('viewer'));
    const adminEmail = uniqueEmail('admin');
    const admin = await client.signUp(adminEmail);
    await stack.db.query(`UPDATE auth.users SET platform_role = 'ADMIN' WHERE id = $1`, [
      admin.user.id,
    ]);
    const adminTokens = (await client.signIn(adminEmail)).body.data!.signIn;
    const asAdmin = await client.call<{ user: { passkeys: { id: string }[] } }>(
      `query ($id: ID!) { user(id: $id) { passkeys { id } } }`,
      { id: alice.tokens.user.id },
      client.as(adminTokens.accessToken),
    );
    expect(asAdmin.body.data?.user.passkeys).toEqual([{ id: alice.passkey.id }]);

    // How another subgraph's list of users reaches auth: an entity reference, as Bob.
    const reference = await postToSubgraph<{ _entities: { passkeys: unknown[] }[] }>(
      stack,
      'auth',
      {
        query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { passkeys { id } } } }`,
        variables: { representations: [{ __typename: 'User', id: alice.tokens.user.id }] },
      },
      { ...anonymousContext(randomUUID()), principal: { kind: 'user', id: bob.user.id } },
    );
    expect(reference.body.data?._entities).toEqual([{ passkeys: [] }]);
  });

  it('caps the passkeys of one account', async () => {
    const tokens = await client.signUp(uniqueEmail('cap'));
    for (let index = 0; index < 20; index += 1) {
      await stack.db.query(
        `INSERT INTO auth.passkeys (user_id, credential_id, public_key) VALUES ($1, $2, $3)`,
        [tokens.user.id, `${'c'.repeat(40)}${String(index).padStart(3, '0')}`, Buffer.alloc(64)],
      );
    }
    expect(codeOf(await passkeys.startRegistration(tokens.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('refuses a passkey name that is too long', async () => {
    const tokens = await client.signUp(uniqueEmail('name'));
    const response = new SoftwareAuthenticator(ORIGIN).create(
      await passkeys.creationOptions(tokens),
    );
    const refused = await passkeys.finishRegistration(
      tokens.accessToken,
      response,
      'n'.repeat(101),
    );
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
  });
});
