import { randomUUID } from 'node:crypto';
import { API_KEY_SCOPES } from '../../../platform/contracts/auth/api-key-format';
import type { Role } from '../../../platform/context/request-context';
import { postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';
import {
  markEmailVerified,
  signUpMember,
  signUpUser,
  type TestUser,
} from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { waitFor } from '../../../testing/ws-client';
import { codes, membersClient } from './members-client';

// An insider's ways back in, attacked through the real gateway, tenancy and auth: an ADMIN
// who keeps an invitation token and an API key, then is removed or demoted; invitations
// accepted by another account than the one they name; a re-invite that would quietly replace
// an OWNER's invitation; and a removal while auth cannot revoke the member's keys.

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const { gql, freshTenant, roleIn, verifiedUser } = membersClient(() => stack);

function member(tenantId: string, role: Role): Promise<TestUser> {
  return signUpMember(stack.gatewayUrl, stack.db, tenantId, role);
}

const INVITE = `mutation ($email: String!, $role: Role!) {
  inviteMember(email: $email, role: $role) { token invitation { id role } } }`;
const ACCEPT = `mutation ($token: String!) { acceptInvitation(token: $token) { role } }`;
const UPDATE_ROLE = `mutation ($userId: ID!, $role: Role!) {
  updateMemberRole(userId: $userId, role: $role) { role } }`;
const REMOVE = `mutation ($userId: ID!) { removeMember(userId: $userId) }`;
const LEAVE = `mutation { leaveTenant }`;
const CREATE_KEY = `mutation ($scopes: [String!]!) {
  createApiKey(name: "insider", scopes: $scopes) { secret apiKey { id } } }`;
const KEYS = `{ myApiKeys { id revokedAt createdBy { id email } } }`;
const MEMBER_EMAILS = `{ tenant { members(first: 50) { nodes { user { email } } } } }`;

interface ListedKey {
  id: string;
  revokedAt: string | null;
  createdBy: { id: string; email: string } | null;
}

async function invite(user: TestUser, tenantId: string, email: string, role: string) {
  const response = await gql<{ inviteMember: { token: string; invitation: { id: string } } }>(
    INVITE,
    { email, role },
    user.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`inviteMember failed: ${response.text}`);
  return response.body.data.inviteMember;
}

function accept(user: TestUser, token: string) {
  return gql<{ acceptInvitation: { role: string } }>(ACCEPT, { token }, user.headers());
}

async function createKey(user: TestUser, tenantId: string) {
  const response = await gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
    CREATE_KEY,
    { scopes: [...API_KEY_SCOPES] },
    user.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`createApiKey failed: ${response.text}`);
  return response.body.data.createApiKey;
}

function readMembersWithKey(secret: string, tenantId: string) {
  return postGraphQL(
    stack.gatewayUrl,
    { query: MEMBER_EMAILS },
    { 'x-api-key': secret, 'x-tenant-id': tenantId },
  );
}

async function pendingInvitations(tenantId: string): Promise<{ email: string; role: string }[]> {
  return stack.db.query(
    `SELECT email, role FROM tenancy.invitations
      WHERE tenant_id = $1 AND accepted_at IS NULL ORDER BY email`,
    [tenantId],
  );
}

async function revokedInvitationEvents(tenantId: string) {
  return stack.db.query<{ payload: Record<string, unknown> }>(
    `SELECT payload FROM events.events
      WHERE tenant_id = $1 AND type = 'tenancy.invitation.revoked' ORDER BY seq`,
    [tenantId],
  );
}

const refusedKey = (response: GraphQLResponse<unknown>) =>
  response.status === 401 && codes(response)[0] === 'UNAUTHENTICATED';

describe('a removed ADMIN', () => {
  it('keeps no key, no invitation and no way back in; the OWNER sees what they left', async () => {
    const tenantId = await freshTenant('insider');
    const owner = await member(tenantId, 'OWNER');
    const insider = await member(tenantId, 'ADMIN');
    // Verified: even the insider's own good account does not get back in.
    await markEmailVerified(stack.db, insider);

    // While still ADMIN: an invitation for an address of their choosing, token kept, and a key
    // with every scope that reads the members' emails.
    const kept = await invite(insider, tenantId, `accomplice-${randomUUID()}@example.com`, 'ADMIN');
    const key = await createKey(insider, tenantId);
    const before = await readMembersWithKey(key.secret, tenantId);
    expect(before.body.errors).toBeUndefined();
    expect(JSON.stringify(before.body.data)).toContain(owner.email);

    const removed = await gql(REMOVE, { userId: insider.id }, owner.headers(tenantId));
    expect(removed.body).toEqual({ data: { removeMember: true } });

    // The key is refused at once (the gateway had it cached), its data unread.
    const after = await readMembersWithKey(key.secret, tenantId);
    expect(refusedKey(after)).toBe(true);
    expect(after.text).not.toContain(owner.email);
    // The invitation went with its inviter: the token joins nobody, least of all the insider.
    expect(codes(await accept(insider, kept.token))).toEqual(['BAD_USER_INPUT']);
    expect(await roleIn(tenantId, insider.id)).toBeNull();
    expect(await pendingInvitations(tenantId)).toEqual([]);
    expect((await revokedInvitationEvents(tenantId)).map((event) => event.payload)).toEqual([
      expect.objectContaining({ invitationId: kept.invitation.id, reason: 'inviter_lost_role' }),
    ]);

    // The OWNER sees who created the key, and that it is revoked.
    const keys = await gql<{ myApiKeys: ListedKey[] }>(KEYS, {}, owner.headers(tenantId));
    expect(keys.body.errors).toBeUndefined();
    expect(keys.body.data?.myApiKeys).toEqual([
      {
        id: key.apiKey.id,
        revokedAt: expect.any(String),
        createdBy: { id: insider.id, email: insider.email },
      },
    ]);
  });

  it('revokes the keys of an ADMIN who leaves, or is demoted below ADMIN', async () => {
    const tenantId = await freshTenant('leaver');
    const owner = await member(tenantId, 'OWNER');
    const leaver = await member(tenantId, 'ADMIN');
    const demoted = await member(tenantId, 'ADMIN');
    const [leaverKey, demotedKey] = [
      await createKey(leaver, tenantId),
      await createKey(demoted, tenantId),
    ];
    const invitee = await verifiedUser('viewer');
    const pending = await invite(demoted, tenantId, invitee.email, 'VIEWER');

    expect((await gql(LEAVE, {}, leaver.headers(tenantId))).body.errors).toBeUndefined();
    const demotion = await gql(
      UPDATE_ROLE,
      { userId: demoted.id, role: 'MEMBER' },
      owner.headers(tenantId),
    );
    expect(demotion.body.errors).toBeUndefined();

    expect(refusedKey(await readMembersWithKey(leaverKey.secret, tenantId))).toBe(true);
    expect(refusedKey(await readMembersWithKey(demotedKey.secret, tenantId))).toBe(true);
    // A MEMBER sends no invitations, so none of theirs stays open.
    expect(codes(await accept(invitee, pending.token))).toEqual(['BAD_USER_INPUT']);
    const events = await stack.db.query<{ payload: { apiKeyId: string; reason?: string } }>(
      `SELECT payload FROM events.events WHERE tenant_id = $1 AND type = 'auth.api_key.revoked'`,
      [tenantId],
    );
    expect(
      events.map((event) => event.payload).sort((a, b) => (a.apiKeyId < b.apiKeyId ? -1 : 1)),
    ).toEqual(
      [leaverKey.apiKey.id, demotedKey.apiKey.id]
        .sort()
        .map((apiKeyId) => ({ apiKeyId, reason: 'creator_lost_role' })),
    );
  });
});

describe('accepting an invitation', () => {
  it('needs the account whose verified address the invitation names', async () => {
    const tenantId = await freshTenant('addressee');
    const admin = await member(tenantId, 'ADMIN');
    const addressee = await signUpUser(stack.gatewayUrl, 'addressee');
    const stranger = await verifiedUser('stranger');
    const { token } = await invite(admin, tenantId, addressee.email, 'MEMBER');

    const byStranger = await accept(stranger, token);
    expect(codes(byStranger)).toEqual(['FORBIDDEN']);
    expect(byStranger.body.errors?.[0]?.message).toMatch(/another address/);
    expect(byStranger.text).not.toContain(addressee.email);
    expect(await roleIn(tenantId, stranger.id)).toBeNull();

    // The right address, not yet verified: refused until it is, and the token stays usable.
    const unverified = await accept(addressee, token);
    expect(codes(unverified)).toEqual(['FORBIDDEN']);
    expect(unverified.body.errors?.[0]?.message).toMatch(/verify/i);
    await markEmailVerified(stack.db, addressee);
    const accepted = await accept(addressee, token);
    expect(accepted.body).toEqual({ data: { acceptInvitation: { role: 'MEMBER' } } });
  });
});

describe('invitations of a demoted inviter', () => {
  it('are revoked when the inviter may no longer send them, and kept otherwise', async () => {
    const tenantId = await freshTenant('demotion');
    const owner = await member(tenantId, 'OWNER');
    const second = await member(tenantId, 'OWNER');
    const third = await member(tenantId, 'OWNER');
    const [toOwner, toAdmin, fromThird] = await Promise.all([
      verifiedUser('to-owner'),
      verifiedUser('to-admin'),
      verifiedUser('from-third'),
    ]);
    const ownerInvitation = await invite(second, tenantId, toOwner.email, 'OWNER');
    const adminInvitation = await invite(third, tenantId, toAdmin.email, 'ADMIN');
    const thirdOwnerInvitation = await invite(third, tenantId, fromThird.email, 'OWNER');
    const thirdKey = await createKey(third, tenantId);

    // OWNER → VIEWER: every invitation of theirs goes, the OWNER one included.
    const toViewer = await gql(
      UPDATE_ROLE,
      { userId: second.id, role: 'VIEWER' },
      owner.headers(tenantId),
    );
    expect(toViewer.body.errors).toBeUndefined();
    expect(codes(await accept(toOwner, ownerInvitation.token))).toEqual(['BAD_USER_INPUT']);

    // OWNER → ADMIN: the OWNER invitation goes, the ADMIN one and the key stay.
    const toAdminRole = await gql(
      UPDATE_ROLE,
      { userId: third.id, role: 'ADMIN' },
      owner.headers(tenantId),
    );
    expect(toAdminRole.body.errors).toBeUndefined();
    expect(codes(await accept(fromThird, thirdOwnerInvitation.token))).toEqual(['BAD_USER_INPUT']);
    expect((await accept(toAdmin, adminInvitation.token)).body.data).toEqual({
      acceptInvitation: { role: 'ADMIN' },
    });
    expect((await readMembersWithKey(thirdKey.secret, tenantId)).body.errors).toBeUndefined();
    expect(
      (await revokedInvitationEvents(tenantId)).map((event) => event.payload.invitationId).sort(),
    ).toEqual([ownerInvitation.invitation.id, thirdOwnerInvitation.invitation.id].sort());
  });
});

describe('inviting an address again', () => {
  it('never replaces an invitation of a role the re-inviter may not grant', async () => {
    const tenantId = await freshTenant('reinvite');
    const owner = await member(tenantId, 'OWNER');
    const admin = await member(tenantId, 'ADMIN');
    const future = await verifiedUser('future-owner');
    const ownerInvitation = await invite(owner, tenantId, future.email, 'OWNER');

    const downgrade = await gql(
      INVITE,
      { email: future.email, role: 'VIEWER' },
      admin.headers(tenantId),
    );
    expect(codes(downgrade)).toEqual(['FORBIDDEN']);
    expect(downgrade.body.errors?.[0]?.message).toMatch(/OWNER/);
    expect(await pendingInvitations(tenantId)).toEqual([{ email: future.email, role: 'OWNER' }]);

    // An invitation the ADMIN could have sent may be replaced by the ADMIN.
    const other = await verifiedUser('other');
    await invite(owner, tenantId, other.email, 'ADMIN');
    await invite(admin, tenantId, other.email, 'VIEWER');
    expect(await pendingInvitations(tenantId)).toEqual(
      [
        { email: future.email, role: 'OWNER' },
        { email: other.email, role: 'VIEWER' },
      ].sort((a, b) => (a.email < b.email ? -1 : 1)),
    );
    expect((await accept(future, ownerInvitation.token)).body.data).toEqual({
      acceptInvitation: { role: 'OWNER' },
    });
  });
});

describe('while auth cannot answer', () => {
  it('refuses to remove an ADMIN (their keys could not be revoked) and changes nothing', async () => {
    const tenantId = await freshTenant('auth-down');
    const owner = await member(tenantId, 'OWNER');
    const admin = await member(tenantId, 'ADMIN');
    const invitee = await verifiedUser('invitee');
    const { token } = await invite(admin, tenantId, invitee.email, 'MEMBER');
    await createKey(admin, tenantId);
    // The gateway has verified the OWNER's token (and cached auth's signing keys) by now.
    expect(
      (await gql('{ tenant { id } }', {}, owner.headers(tenantId))).body.errors,
    ).toBeUndefined();

    await stack.processes.get('auth')!.stop();
    await waitFor(
      async () => (await fetch(`${stack.url('auth')}/healthz`).catch(() => null)) === null,
    );

    const removal = await gql(REMOVE, { userId: admin.id }, owner.headers(tenantId));
    expect(codes(removal)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await roleIn(tenantId, admin.id)).toBe('ADMIN');
    expect(await pendingInvitations(tenantId)).toEqual([{ email: invitee.email, role: 'MEMBER' }]);
    // Acceptance asks auth for the caller's verified address, fresh: not without auth.
    expect(codes(await accept(invitee, token))).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await roleIn(tenantId, invitee.id)).toBeNull();
  });
});
