import { randomUUID } from 'node:crypto';
import { addMember, signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { AuthClient } from './auth-client';
import { codeOf } from '../../../testing/graphql-client';

// A tenant's maxSessionsPerUser through the real gateway: sessions belong to accounts, so the
// strictest cap among a user's tenants bounds the user's live sessions, the oldest going first
// when a sign-in would pass it.

let stack: TestStack;
let client: AuthClient;
const strict = randomUUID();
const lenient = randomUUID();
let strictOwner: TestUser;

const SETTINGS = `mutation ($cap: Int) {
  updateTenantSettings(input: { maxSessionsPerUser: $cap }) { settings { maxSessionsPerUser } } }`;

async function liveSessions(userId: string): Promise<number> {
  const [row] = await stack.db.query<{ live: number }>(
    `SELECT count(*)::int AS live FROM auth.sessions
      WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [userId],
  );
  return row!.live;
}

async function signInTimes(email: string, times: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let index = 0; index < times; index += 1) {
    const answer = await client.signIn(email);
    if (answer.body.data?.signIn.__typename !== 'AuthPayload') throw new Error(answer.text);
    tokens.push(answer.body.data.signIn.accessToken);
  }
  return tokens;
}

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
  client = new AuthClient(stack.gatewayUrl);
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'strict', 'S'), ($2, 'lenient', 'L')`,
    [strict, lenient],
  );
  strictOwner = await signUpMember(stack.gatewayUrl, stack.db, strict, 'OWNER');
  const set = await client.call(SETTINGS, { cap: 2 }, strictOwner.headers(strict));
  expect(set.body.data).toEqual({ updateTenantSettings: { settings: { maxSessionsPerUser: 2 } } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it("caps a member's live sessions at the strictest of the member's tenants, oldest out first", async () => {
  const member = await signUpMember(stack.gatewayUrl, stack.db, lenient, 'MEMBER');
  await addMember(stack.db, strict, member.id, 'MEMBER');
  const [first, second, third] = await signInTimes(member.email, 3);
  expect(await liveSessions(member.id)).toBe(2);
  // The sign-up's session and the first sign-in's went; the latest two still work.
  for (const evicted of [member.accessToken, first!]) {
    expect(codeOf(await client.me(evicted))).toBe('UNAUTHENTICATED');
  }
  for (const kept of [second!, third!]) {
    expect((await client.me(kept)).body.data?.me?.id).toBe(member.id);
  }
});

it("leaves users of tenants without a cap at the platform's MAX_SESSIONS_PER_USER", async () => {
  const member = await signUpMember(stack.gatewayUrl, stack.db, lenient, 'MEMBER');
  await signInTimes(member.email, 3);
  expect(await liveSessions(member.id)).toBe(4);
});

it('follows the setting when a tenant lifts its cap, and refuses it to non-admins and bad values', async () => {
  const member = await signUpMember(stack.gatewayUrl, stack.db, strict, 'MEMBER');
  expect(codeOf(await client.call(SETTINGS, { cap: 1 }, member.headers(strict)))).toBe('FORBIDDEN');
  expect(codeOf(await client.call(SETTINGS, { cap: 1 }, strictOwner.headers(lenient)))).toBe(
    'FORBIDDEN',
  );
  expect(codeOf(await client.call(SETTINGS, { cap: 0 }, strictOwner.headers(strict)))).toBe(
    'BAD_USER_INPUT',
  );
  await signInTimes(member.email, 2);
  expect(await liveSessions(member.id)).toBe(2);
  const lifted = await client.call(SETTINGS, { cap: null }, strictOwner.headers(strict));
  expect(lifted.body.data).toEqual({
    updateTenantSettings: { settings: { maxSessionsPerUser: null } },
  });
  await signInTimes(member.email, 2);
  expect(await liveSessions(member.id)).toBe(4);
});

it("does not count a deleted tenant's cap", async () => {
  const gone = randomUUID();
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name, deleted_at) VALUES ($1, 'gone', 'G', now())`,
    [gone],
  );
  await stack.db.query(
    `INSERT INTO tenancy.tenant_settings (tenant_id, max_sessions_per_user) VALUES ($1, 1)`,
    [gone],
  );
  const member = await signUpMember(stack.gatewayUrl, stack.db, lenient, 'MEMBER');
  await addMember(stack.db, gone, member.id, 'MEMBER');
  await signInTimes(member.email, 2);
  expect(await liveSessions(member.id)).toBe(3);
});

it("falls back to the platform's cap, and still signs in, when tenancy is gone", async () => {
  const member = await signUpMember(stack.gatewayUrl, stack.db, strict, 'MEMBER');
  await stack.processes.get('tenancy')!.stop();
  await signInTimes(member.email, 2);
  expect(await liveSessions(member.id)).toBe(3);
});
