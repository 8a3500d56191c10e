import { decodeJwt, importJWK, SignJWT, type JWK } from 'jose';
import { spawnService, type ServiceProcess } from '../../../scripts/lib/service-process';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { parseConfig } from '../../../platform/config/load';
import { encryption } from '../../../platform/config/encryption';
import { metricValue, scrape, codeOf } from '../../../testing/graphql-client';
import { eventually } from '../../../testing/eventually';
import { readOutbox } from '../../../testing/outbox';
import { startStack, type TestStack } from '../../../testing/stack';
import { AuthClient, clientIp, PASSWORD, uniqueEmail, type Tokens } from './auth-client';

// Accounts, sessions and tokens through the real gateway and auth processes. The gateway
// trusts X-Forwarded-For here so each test can be its own client IP for the per-IP limits.

let stack: TestStack;
let client: AuthClient;
let secondGateway: ServiceProcess;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth'],
    env: {
      GATEWAY_TRUST_PROXY: '1',
      AUTH_ATTEMPTS_PER_IP: '20',
      SIGN_IN_FAILURES_PER_ACCOUNT: '5',
      MAX_SESSIONS_PER_USER: '3',
    },
  });
  client = new AuthClient(stack.gatewayUrl);
  secondGateway = await spawnService('gateway', {
    env: { ...stack.env, SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql` },
  });
}, 120_000);

afterAll(async () => {
  await secondGateway?.stop();
  await stack?.stop();
});

const refused = async (token: string, gatewayUrl = stack.gatewayUrl) => {
  const response = await new AuthClient(gatewayUrl).me(token);
  return response.status === 401 && codeOf(response) === 'UNAUTHENTICATED';
};

/** The reasons of the user's failed sign-ins in the journal, oldest first. */
async function failedSignIns(userId: string): Promise<string[]> {
  const rows = await stack.db.query<{ reason: string }>(
    `SELECT payload->>'reason' AS reason FROM events.events
      WHERE type = 'auth.sign_in.failed' AND payload->>'userId' = $1 ORDER BY seq`,
    [userId],
  );
  return rows.map((row) => row.reason);
}

async function latestMailToken(email: string, kind: string): Promise<string> {
  const [mail] = await readOutbox(stack.db, email, kind);
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no ${kind} mail for ${email}`);
  return token;
}

describe('sign-up and sign-in', () => {
  it('signs up, answers me with the access token, and verifies the email once', async () => {
    const email = uniqueEmail('new');
    const tokens = await client.signUp(email);
    expect(tokens.user.email).toBe(email);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: tokens.user.id, iss: 'tessera' });

    const me = await client.me(tokens.accessToken);
    expect(me.body.data?.me).toEqual({ id: tokens.user.id, email, emailVerified: false });

    const token = await latestMailToken(email, 'auth.verify_email');
    const verify = `mutation ($token: String!) { verifyEmail(token: $token) }`;
    expect((await client.call(verify, { token })).body.data).toEqual({ verifyEmail: true });
    const again = await client.call(verify, { token });
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    expect((await client.me(tokens.accessToken)).body.data?.me?.emailVerified).toBe(true);
  });

  it('answers me with null for an anonymous caller', async () => {
    expect((await client.call('{ me { id } }')).body.data).toEqual({ me: null });
  });

  it('answers a sign-up with a taken email as for a new account, and mails the owner', async () => {
    const email = uniqueEmail('dup');
    const owner = await client.signUp(email);
    const signUp = `mutation ($email: String!) { signUp(email: $email, password: "another passphrase 31") {
      accessToken refreshToken expiresAt user { id email emailVerified displayName status } } }`;
    // However it is typed: the same mailbox.
    const taken = await client.call<{ signUp: Tokens & { user: Record<string, unknown> } }>(
      signUp,
      { email: `  ${email.toUpperCase()} ` },
    );
    const fresh = await client.call<{ signUp: Tokens & { user: Record<string, unknown> } }>(
      signUp,
      { email: uniqueEmail('fresh') },
    );
    expect(taken.status).toBe(fresh.status);
    expect(taken.body.errors).toBeUndefined();
    const answer = taken.body.data!.signUp;
    expect(answer.user).toEqual({
      ...fresh.body.data!.signUp.user,
      id: expect.any(String),
      email,
    });
    expect(answer.user.id).not.toBe(owner.user.id);
    expect(Object.keys(decodeJwt(answer.accessToken)).sort()).toEqual(
      Object.keys(decodeJwt(fresh.body.data!.signUp.accessToken)).sort(),
    );

    // The owner hears of it; nobody gets a session, and the account is as it was.
    const [mail] = await readOutbox(stack.db, email, 'auth.sign_up_attempt');
    expect(mail?.text).toMatch(/tried to create a new Tessera account with this address/);
    expect(await readOutbox(stack.db, email, 'auth.verify_email')).toHaveLength(1);
    await eventually(() => refused(answer.accessToken));
    expect(codeOf(await client.refresh(answer.refreshToken))).toBe('UNAUTHENTICATED');
    const rows = await stack.db.query(`SELECT id FROM auth.users WHERE email = $1`, [email]);
    expect(rows).toEqual([{ id: owner.user.id }]);
    expect((await client.signIn(email)).body.data?.signIn.user.id).toBe(owner.user.id);
    expect(codeOf(await client.signIn(email, 'another passphrase 31'))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a short password', uniqueEmail(), 'short'],
    ['a known-weak password', uniqueEmail(), 'password1234'],
    ['a password containing the email', 'frederick@example.com', 'frederick-is-great-99'],
    ['a 10 000-character password', uniqueEmail(), 'x'.repeat(10_000)],
    ['a malformed email', 'not-an-email', PASSWORD],
    ['a 300-character email', `${'a'.repeat(290)}@example.com`, PASSWORD],
  ])('refuses sign-up with %s as BAD_USER_INPUT', async (_case, email, password) => {
    const response = await new AuthClient(stack.gatewayUrl).call(
      `mutation ($email: String!, $password: String!) { signUp(email: $email, password: $password) { accessToken } }`,
      { email, password },
    );
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const email = uniqueEmail('wrong');
    await client.signUp(email);
    const wrongPassword = await new AuthClient(stack.gatewayUrl).signIn(
      email,
      'not the password at all',
    );
    const unknown = await new AuthClient(stack.gatewayUrl).signIn(uniqueEmail('ghost'));
    for (const response of [wrongPassword, unknown]) {
      expect(codeOf(response)).toBe('UNAUTHENTICATED');
      expect(response.body.errors?.[0]?.message).toBe('Invalid email or password');
    }
  });

  it('answers a locked account exactly as an unknown email, even for the right password', async () => {
    const email = uniqueEmail('locked');
    const { user } = await client.signUp(email);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      // Each from its own IP: the lock follows the account, not the address.
      expect(codeOf(await new AuthClient(stack.gatewayUrl).signIn(email, 'wrong password!!'))).toBe(
        'UNAUTHENTICATED',
      );
    }
    const locked = await new AuthClient(stack.gatewayUrl).signIn(email);
    const unknown = await new AuthClient(stack.gatewayUrl).signIn(uniqueEmail('ghost'));
    const answer = (response: typeof locked) => ({
      status: response.status,
      data: response.body.data,
      errors: response.body.errors?.map(({ message, extensions }) => ({
        message,
        extensions: { ...extensions, requestId: undefined },
      })),
    });
    expect(answer(locked)).toEqual(answer(unknown));
    expect(codeOf(locked)).toBe('UNAUTHENTICATED');
    expect((await failedSignIns(user.id)).slice(-1)).toEqual(['locked']);
  });

  it('checks at most SIGN_IN_FAILURES_PER_ACCOUNT passwords when 30 wrong guesses arrive at once', async () => {
    const email = uniqueEmail('race');
    const { user } = await client.signUp(email);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, guess) =>
        new AuthClient(stack.gatewayUrl).signIn(email, `wrong guess number ${guess}`),
      ),
    );
    expect(answers.map(codeOf)).toEqual(Array(30).fill('UNAUTHENTICATED'));
    // `bad_credentials` is recorded after a check of the account's password, `locked` for an
    // attempt refused before it (which verifies a dummy hash instead, as for unknown emails).
    const reasons = await failedSignIns(user.id);
    expect(reasons.filter((reason) => reason === 'bad_credentials')).toHaveLength(5);
    expect(reasons.filter((reason) => reason === 'locked')).toHaveLength(25);
  });

  it('lifts the lock when the owner resets the password', async () => {
    const email = uniqueEmail('unlock');
    await client.signUp(email);
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await new AuthClient(stack.gatewayUrl).signIn(email, 'wrong password!!');
    }
    await client.call(`mutation ($email: String!) { requestPasswordReset(email: $email) }`, {
      email,
    });
    await eventually(
      async () => (await readOutbox(stack.db, email, 'auth.password_reset')).length > 0,
    );
    const token = await latestMailToken(email, 'auth.password_reset');
    await client.call(
      `mutation ($token: String!) { resetPassword(token: $token, newPassword: "unlocked passphrase 5") }`,
      { token },
    );
    const signIn = await client.signIn(email, 'unlocked passphrase 5');
    expect(signIn.body.data?.signIn.__typename).toBe('AuthPayload');
  });

  it('limits sign-in attempts per client IP, across accounts', async () => {
    const ip = new AuthClient(stack.gatewayUrl, clientIp());
    const codes: unknown[] = [];
    for (let attempt = 0; attempt < 21; attempt += 1) {
      codes.push(codeOf(await ip.signIn(uniqueEmail('spray'), 'guess guess guess')));
    }
    expect(codes.slice(0, 20).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(codes[20]).toBe('RATE_LIMITED');
    // Another client is unaffected.
    expect(codeOf(await new AuthClient(stack.gatewayUrl).signIn(uniqueEmail(), 'guess'))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('refuses an oversized request body with 413 before it reaches auth', async () => {
    const response = await client.call(
      `mutation { signIn(email: "${'a'.repeat(1_100_000)}", password: "x") { __typename } }`,
    );
    expect(response.status).toBe(413);
    expect(codeOf(response)).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('access tokens', () => {
  let tokens: Tokens;
  beforeAll(async () => {
    tokens = await client.signUp(uniqueEmail('tokens'));
  });

  /** Signs a token with the auth service's own active key, as only a key holder could. */
  async function signWithRealKey(claims: Record<string, unknown>, expiresAt: number) {
    const [key] = await stack.db.query<{ kid: string; private_key_encrypted: string }>(
      `SELECT kid, private_key_encrypted FROM auth.signing_keys ORDER BY created_at DESC LIMIT 1`,
    );
    const ring = KeyRing.fromConfig(parseConfig(encryption, {}).ENCRYPTION_KEYS);
    const jwk = JSON.parse(ring.decrypt(key!.private_key_encrypted, key!.kid)) as JWK;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key!.kid, typ: 'at+jwt' })
      .setIssuer('tessera')
      .setAudience('tessera')
      .setIssuedAt(expiresAt - 900)
      .setExpirationTime(expiresAt)
      .sign(await importJWK(jwk, 'ES256'));
  }

  it('refuses an expired token with a clear message', async () => {
    const claims = decodeJwt(tokens.accessToken);
    const expired = await signWithRealKey(
      { sub: claims.sub, sid: claims.sid },
      Math.floor(Date.now() / 1000) - 60,
    );
    const response = await client.me(expired);
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]).toMatchObject({
      message: 'Access token expired',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it.each([
    [
      'a token signed by another key',
      async () => {
        const { generateKeyPair } = await import('jose');
        const { privateKey } = await generateKeyPair('ES256');
        const claims = decodeJwt(tokens.accessToken);
        const [, header] = tokens.accessToken.split('.');
        void header;
        return new SignJWT({ sid: claims.sid })
          .setProtectedHeader({
            alg: 'ES256',
            kid: (
              JSON.parse(
                Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString(),
              ) as { kid: string }
            ).kid,
            typ: 'at+jwt',
          })
          .setSubject(String(claims.sub))
          .setIssuer('tessera')
          .setAudience('tessera')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
      },
    ],
    [
      'a token with an edited payload',
      async () => {
        const [header, , signature] = tokens.accessToken.split('.');
        const payload = { ...decodeJwt(tokens.accessToken), adm: true };
        return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      },
    ],
    [
      'an unsigned token',
      async () => {
        const payload = Buffer.from(JSON.stringify(decodeJwt(tokens.accessToken))).toString(
          'base64url',
        );
        return `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
      },
    ],
    ['garbage', async () => 'not-a-token'],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_case, forge) => {
    const response = await client.me(await forge());
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
  });

  it('refuses an Authorization header that is not a bearer token, and two credentials at once', async () => {
    const basic = await client.call('{ me { id } }', {}, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(codeOf(basic)).toBe('UNAUTHENTICATED');
    const both = await client.call(
      '{ me { id } }',
      {},
      {
        authorization: `Bearer ${tokens.accessToken}`,
        'x-api-key': 'tsk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      },
    );
    expect(codeOf(both)).toBe('BAD_USER_INPUT');
  });

  it('serves the verification keys at /.well-known/jwks.json on the gateway', async () => {
    const jwks = (await (
      await fetch(new URL('/.well-known/jwks.json', stack.gatewayUrl))
    ).json()) as {
      keys: JWK[];
    };
    const { kid } = JSON.parse(
      Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString(),
    ) as { kid: string };
    expect(jwks.keys.map((key) => key.kid)).toContain(kid);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });
});

describe('refresh tokens', () => {
  it('rotates on every use', async () => {
    const first = await client.signUp(uniqueEmail('rotate'));
    const second = (await client.refresh(first.refreshToken)).body.data!.refreshSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user.id).toBe(first.user.id);
    const third = await client.refresh(second.refreshToken);
    expect(third.body.data?.refreshSession.accessToken).toBeDefined();
  });

  it('ends the whole session when a used refresh token comes back', async () => {
    const first = await client.signUp(uniqueEmail('reuse'));
    const second = (await client.refresh(first.refreshToken)).body.data!.refreshSession;
    const replay = await client.refresh(first.refreshToken);
    expect(codeOf(replay)).toBe('UNAUTHENTICATED');
    // The thief's replay also ends the owner's newer tokens of that session.
    expect(codeOf(await client.refresh(second.refreshToken))).toBe('UNAUTHENTICATED');
    await eventually(() => refused(second.accessToken));
  });

  it.each([
    ['garbage', 'nope'],
    ['an unknown token', `rt_${'A'.repeat(43)}`],
    ['an oversized token', 'x'.repeat(5000)],
  ])('refuses %s', async (_case, token) => {
    expect(codeOf(await client.refresh(token))).toBe('UNAUTHENTICATED');
  });
});

describe('sessions', () => {
  it('signs out, and the access token stops working on every gateway', async () => {
    const tokens = await client.signUp(uniqueEmail('signout'));
    expect(
      (await new AuthClient(secondGateway.url + '/graphql').me(tokens.accessToken)).status,
    ).toBe(200);
    const out = await client.call('mutation { signOut }', {}, client.as(tokens.accessToken));
    expect(out.body.data).toEqual({ signOut: true });
    await eventually(() => refused(tokens.accessToken));
    await eventually(() => refused(tokens.accessToken, `${secondGateway.url}/graphql`));
    expect(codeOf(await client.refresh(tokens.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('lists, revokes one and revokes all other sessions', async () => {
    const email = uniqueEmail('sessions');
    const a = await client.signUp(email);
    const b = (await client.signIn(email)).body.data!.signIn;
    const c = (await client.signIn(email)).body.data!.signIn;
    const list = await client.call<{ mySessions: { id: string; current: boolean }[] }>(
      '{ mySessions { id current ip userAgent } }',
      {},
      client.as(c.accessToken),
    );
    expect(list.body.data?.mySessions).toHaveLength(3);
    expect(list.body.data?.mySessions.filter((session) => session.current)).toHaveLength(1);

    const sidOf = (token: string) => String(decodeJwt(token).sid);
    const revoke = await client.call(
      'mutation ($id: ID!) { revokeSession(id: $id) }',
      { id: sidOf(a.accessToken) },
      client.as(c.accessToken),
    );
    expect(revoke.body.data).toEqual({ revokeSession: true });
    await eventually(() => refused(a.accessToken));

    const all = await client.call('mutation { revokeAllSessions }', {}, client.as(c.accessToken));
    expect(all.body.data).toEqual({ revokeAllSessions: 1 });
    await eventually(() => refused(b.accessToken));
    expect((await client.me(c.accessToken)).body.data?.me).not.toBeNull();
  });

  it("cannot revoke another user's session", async () => {
    const victim = await client.signUp(uniqueEmail('victim'));
    const attacker = await client.signUp(uniqueEmail('attacker'));
    const response = await client.call(
      'mutation ($id: ID!) { revokeSession(id: $id) }',
      { id: decodeJwt(victim.accessToken).sid },
      client.as(attacker.accessToken),
    );
    expect(codeOf(response)).toBe('NOT_FOUND');
    expect((await client.me(victim.accessToken)).body.data?.me).not.toBeNull();
  });

  it('evicts the oldest session past the per-user cap', async () => {
    const email = uniqueEmail('cap');
    const oldest = await client.signUp(email);
    for (let i = 0; i < 3; i += 1) await client.signIn(email);
    await eventually(() => refused(oldest.accessToken));
    const [row] = await stack.db.query<{ live: string }>(
      `SELECT count(*) AS live FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL`,
      [oldest.user.id],
    );
    expect(Number(row?.live)).toBe(3);
  });

  it('needs a signed-in user for session mutations', async () => {
    expect(codeOf(await client.call('mutation { signOut }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await client.call('{ mySessions { id } }'))).toBe('UNAUTHENTICATED');
  });
});

describe('password flows', () => {
  it('resets a password by mailed link: one use, every session ended', async () => {
    const email = uniqueEmail('reset');
    const before = await client.signUp(email);
    const request = `mutation ($email: String!) { requestPasswordReset(email: $email) }`;
    expect((await client.call(request, { email })).body.data).toEqual({
      requestPasswordReset: true,
    });
    await eventually(
      async () => (await readOutbox(stack.db, email, 'auth.password_reset')).length > 0,
    );
    const token = await latestMailToken(email, 'auth.password_reset');

    const reset = `mutation ($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }`;
    expect(codeOf(await client.call(reset, { token, password: 'weak' }))).toBe('BAD_USER_INPUT');
    // A refused new password does not use the token up.
    const newPassword = 'a brand new passphrase 42';
    expect((await client.call(reset, { token, password: newPassword })).body.data).toEqual({
      resetPassword: true,
    });
    expect(codeOf(await client.call(reset, { token, password: 'another new passphrase 43' }))).toBe(
      'BAD_USER_INPUT',
    );

    await eventually(() => refused(before.accessToken));
    expect(codeOf(await client.signIn(email))).toBe('UNAUTHENTICATED');
    expect((await client.signIn(email, newPassword)).body.data?.signIn.__typename).toBe(
      'AuthPayload',
    );
  });

  it('answers a reset request for an unknown address the same way, and mails nothing', async () => {
    const email = uniqueEmail('nobody');
    const marker = uniqueEmail('reset-marker');
    await client.signUp(marker);
    const requestReset = (address: string) =>
      client.call(`mutation ($email: String!) { requestPasswordReset(email: $email) }`, {
        email: address,
      });
    const response = await requestReset(email);
    expect(response.body.data).toEqual({ requestPasswordReset: true });
    // Both are decided after the answer, in order; once the later request's mail is written,
    // the earlier one has had its turn.
    await requestReset(marker);
    await eventually(
      async () => (await readOutbox(stack.db, marker, 'auth.password_reset')).length > 0,
    );
    expect(await readOutbox(stack.db, email)).toEqual([]);
  });

  it('changes a password with the current one, ending the other sessions only', async () => {
    const email = uniqueEmail('change');
    const other = await client.signUp(email);
    const current = (await client.signIn(email)).body.data!.signIn;
    const change = `mutation ($old: String!, $new: String!) { changePassword(currentPassword: $old, newPassword: $new) }`;
    const wrong = await client.call(
      change,
      { old: 'not it at all', new: 'fresh passphrase 77' },
      client.as(current.accessToken),
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    const ok = await client.call(
      change,
      { old: PASSWORD, new: 'fresh passphrase 77' },
      client.as(current.accessToken),
    );
    expect(ok.body.data).toEqual({ changePassword: true });
    await eventually(() => refused(other.accessToken));
    expect((await client.me(current.accessToken)).body.data?.me?.email).toBe(email);
  });

  it('deactivates an account: every session ends and sign-in is refused', async () => {
    const email = uniqueEmail('leaving');
    const tokens = await client.signUp(email);
    const response = await client.call(
      `mutation ($p: String!) { deactivateAccount(password: $p) }`,
      { p: PASSWORD },
      client.as(tokens.accessToken),
    );
    expect(response.body.data).toEqual({ deactivateAccount: true });
    await eventually(() => refused(tokens.accessToken));
    const signIn = await client.signIn(email);
    expect(codeOf(signIn)).toBe('FORBIDDEN');
  });

  it('updates the display name, refusing oversized and control characters', async () => {
    const tokens = await client.signUp(uniqueEmail('profile'));
    const update = `mutation ($name: String) { updateProfile(displayName: $name) { displayName } }`;
    expect(
      (await client.call(update, { name: '  Ada Lovelace ' }, client.as(tokens.accessToken))).body
        .data,
    ).toEqual({
      updateProfile: { displayName: 'Ada Lovelace' },
    });
    expect(
      codeOf(await client.call(update, { name: 'x'.repeat(101) }, client.as(tokens.accessToken))),
    ).toBe('BAD_USER_INPUT');
    expect(
      codeOf(await client.call(update, { name: 'bad\u0000name' }, client.as(tokens.accessToken))),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await client.call(update, { name: 'anon' }))).toBe('UNAUTHENTICATED');
  });
});

describe('platform administration', () => {
  let admin: Tokens;
  beforeAll(async () => {
    const email = uniqueEmail('admin');
    const signedUp = await client.signUp(email);
    await stack.db.query(`UPDATE auth.users SET platform_role = 'ADMIN' WHERE id = $1`, [
      signedUp.user.id,
    ]);
    admin = (await client.signIn(email)).body.data!.signIn;
  });

  it('bans a user: their sessions end at once and they cannot sign in', async () => {
    const email = uniqueEmail('banned');
    const user = await client.signUp(email);
    const ban = await client.call(
      `mutation ($id: ID!) { adminSetUserStatus(userId: $id, status: BANNED) { status } }`,
      { id: user.user.id },
      client.as(admin.accessToken),
    );
    expect(ban.body.data).toEqual({ adminSetUserStatus: { status: 'BANNED' } });
    await eventually(() => refused(user.accessToken));
    expect(codeOf(await client.signIn(email))).toBe('FORBIDDEN');
    expect(codeOf(await client.refresh(user.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('lists and searches users, lists and revokes sessions, by user and by IP', async () => {
    const email = uniqueEmail('findme');
    const user = await new AuthClient(stack.gatewayUrl, '192.0.2.77').signUp(email);
    const found = await client.call<{ users: { nodes: { email: string }[] } }>(
      `query ($s: String) { users(first: 5, search: $s) { nodes { email } pageInfo { hasNextPage } } }`,
      { s: email.slice(0, 14) },
      client.as(admin.accessToken),
    );
    expect(found.body.data?.users.nodes.map((node) => node.email)).toEqual([email]);
    const sessions = await client.call<{ sessions: { ip: string }[] }>(
      `query ($id: ID!) { sessions(userId: $id) { ip } }`,
      { id: user.user.id },
      client.as(admin.accessToken),
    );
    expect(sessions.body.data?.sessions).toEqual([{ ip: '192.0.2.77' }]);
    const byIp = await client.call(
      `mutation { adminRevokeSessionsByIp(ip: "192.0.2.77") }`,
      {},
      client.as(admin.accessToken),
    );
    expect(byIp.body.data).toEqual({ adminRevokeSessionsByIp: 1 });
    await eventually(() => refused(user.accessToken));
    expect(
      codeOf(
        await client.call(
          `mutation { adminRevokeSessionsByIp(ip: "999.1.1.1") }`,
          {},
          client.as(admin.accessToken),
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('refuses admin fields to everyone else', async () => {
    const user = await client.signUp(uniqueEmail('nosy'));
    for (const query of [
      '{ users { nodes { id } } }',
      `{ sessions(userId: "${user.user.id}") { id } }`,
      `mutation { adminRevokeSessions(userId: "${user.user.id}") }`,
    ]) {
      expect(codeOf(await client.call(query, {}, client.as(user.accessToken)))).toBe('FORBIDDEN');
      expect(codeOf(await client.call(query))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('what is stored and logged', () => {
  it('keeps no plaintext password or token in any table or log line', async () => {
    const email = uniqueEmail('secrets');
    const password = 'unmistakable passphrase 9137';
    const tokens = await client.signUp(email, password);
    const refreshed = (await client.refresh(tokens.refreshToken)).body.data!.refreshSession;
    const secrets = [
      password,
      tokens.refreshToken,
      refreshed.refreshToken,
      tokens.accessToken,
      refreshed.accessToken,
    ];

    const tables = await stack.db.query<{ table: string }>(
      `SELECT table_schema || '.' || table_name AS table FROM information_schema.tables
        WHERE table_schema IN ('auth', 'events') AND table_type = 'BASE TABLE'`,
    );
    for (const { table } of tables) {
      const rows = await stack.db.query(`SELECT t::text AS row FROM ${table} t`);
      const dump = rows.map((row) => String(row.row)).join('\n');
      for (const secret of secrets) expect(dump).not.toContain(secret.slice(3, 40));
    }
    const logs = stack.logs.map((line) => line.line).join('\n');
    for (const secret of secrets) expect(logs).not.toContain(secret.slice(3, 40));
  });

  it('counts attempts by outcome in /metrics', async () => {
    const page = await scrape(stack.url('auth'));
    expect(
      metricValue(page, 'tessera_auth_attempts_total', {
        kind: 'sign_in',
        outcome: 'bad_credentials',
      }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(page, 'tessera_auth_attempts_total', { kind: 'refresh', outcome: 'token_reuse' }),
    ).toBeGreaterThan(0);
    const gateway = await scrape(stack.gatewayUrl.replace(/\/graphql$/, ''));
    expect(
      metricValue(gateway, 'tessera_gateway_authentications_total', {
        method: 'access_token',
        outcome: 'unauthenticated',
      }),
    ).toBeGreaterThan(0);
  });
});
