import { createHash, randomUUID } from 'node:crypto';
import { metricValue, postGraphQL, scrape } from '../../../testing/graphql-client';
import {
  addMember,
  markEmailVerified,
  signUpMember,
  signUpUser,
  type TestUser,
} from '../../../testing/members';
import { readOutbox } from '../../../testing/outbox';
import { startStack, type TestStack } from '../../../testing/stack';
import { INVITATION_MAIL_KIND } from '../services/invitation-mail';
import { codes, membersClient } from './members-client';
import { MAX_PENDING_INVITATIONS_PER_TENANT } from '../services/invitation.service';

// Members and invitations end to end, through the gateway with real users: invite, mail,
// accept, list (users resolved by auth), role changes and removals that the gateway applies
// at once, and the rules that keep every tenant with an OWNER.

const INVITATIONS_PER_HOUR = 40;
let stack: TestStack;
const tenantA = randomUUID();
const tenantB = randomUUID();
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
let viewer: TestUser;
let adminB: TestUser;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: { INVITATIONS_PER_TENANT_PER_HOUR: String(INVITATIONS_PER_HOUR) },
  });
  await createTenantRow(tenantA, 'alpha');
  await createTenantRow(tenantB, 'beta');
  [owner, admin, member, viewer, adminB] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER'),
    signUpMember(stack.gatewayUrl, stack.db, tenantB, 'ADMIN'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const { gql, createTenantRow, freshTenant, roleIn, verifiedUser } = membersClient(() => stack);

const INVITATION_FIELDS = 'id email role createdAt expiresAt acceptedAt invitedBy { id }';
const INVITE = `mutation ($email: String!, $role: Role!) {
  inviteMember(email: $email, role: $role) { token invitation { ${INVITATION_FIELDS} } } }`;
const ACCEPT = `mutation ($token: String!) {
  acceptInvitation(token: $token) { id role createdAt user { id email } tenant { id name } } }`;
const REVOKE = `mutation ($id: ID!) { revokeInvitation(id: $id) }`;
const INVITATIONS = `{ invitations { ${INVITATION_FIELDS} } }`;
const UPDATE_ROLE = `mutation ($userId: ID!, $role: Role!) {
  updateMemberRole(userId: $userId, role: $role) { id role user { id } tenant { id } } }`;
const REMOVE = `mutation ($userId: ID!) { removeMember(userId: $userId) }`;
const LEAVE = `mutation { leaveTenant }`;
const MEMBERS = `query ($first: Int, $after: Cursor) {
  tenant { members(first: $first, after: $after) {
    nodes { id role createdAt user { id email } tenant { id slug } }
    pageInfo { endCursor hasNextPage } } } }`;

interface Invitation {
  id: string;
  email: string;
  role: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  invitedBy: { id: string } | null;
}
interface MemberNode {
  id: string;
  role: string;
  createdAt: string;
  user: { id: string; email: string };
  tenant: { id: string; slug: string };
}
interface MembersPage {
  tenant: {
    members: { nodes: MemberNode[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
  };
}

function invite(user: TestUser, tenantId: string, email: string, role = 'MEMBER') {
  return gql<{ inviteMember: { token: string; invitation: Invitation } }>(
    INVITE,
    { email, role },
    user.headers(tenantId),
  );
}

async function invited(user: TestUser, tenantId: string, email: string, role = 'MEMBER') {
  const response = await invite(user, tenantId, email, role);
  if (!response.body.data) throw new Error(`inviteMember failed: ${response.text}`);
  return response.body.data.inviteMember;
}

function accept(user: TestUser, token: string) {
  return gql<{
    acceptInvitation: {
      id: string;
      role: string;
      user: { id: string; email: string };
      tenant: { id: string; name: string };
    };
  }>(ACCEPT, { token }, user.headers());
}

function canUseTenant(user: TestUser, tenantId: string) {
  return gql<{ tenant: { id: string } | null }>('{ tenant { id } }', {}, user.headers(tenantId));
}

async function ownerCount(tenantId: string): Promise<number> {
  const [row] = await stack.db.query<{ count: string }>(
    `SELECT count(*) FROM tenancy.memberships WHERE tenant_id = $1 AND role = 'OWNER'`,
    [tenantId],
  );
  return Number(row?.count);
}

async function eventsOf(tenantId: string, type: string) {
  return stack.db.query<{ actor_id: string | null; payload: Record<string, unknown> }>(
    `SELECT actor_id, payload FROM events.events WHERE tenant_id = $1 AND type = $2 ORDER BY seq`,
    [tenantId, type],
  );
}

async function mailedToken(email: string): Promise<string> {
  const [mail] = await readOutbox(stack.db, email, INVITATION_MAIL_KIND);
  const token = /\/accept-invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no invitation mail for ${email}`);
  return token;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('inviting and accepting', () => {
  it('mails the invitee a link; accepting joins the tenant with the role, usable at once', async () => {
    const invitee = await verifiedUser('invitee');
    // Not a member yet: refused, and that answer is now cached by the gateway.
    expect(codes(await canUseTenant(invitee, tenantA))).toEqual(['FORBIDDEN']);

    const { token, invitation } = await invited(
      admin,
      tenantA,
      `  ${invitee.email.toUpperCase()} `,
      'MEMBER',
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invitation).toEqual({
      id: expect.any(String),
      email: invitee.email,
      role: 'MEMBER',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      acceptedAt: null,
      invitedBy: { id: admin.id },
    });
    const ttlMs = Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt);
    expect(Math.abs(ttlMs - 7 * 24 * 3600 * 1000)).toBeLessThan(5_000);

    // Stored only as a hash; the mail carries the same token in a link to the frontend.
    const [row] = await stack.db.query<{ token_hash: string; text: string }>(
      `SELECT token_hash, i::text AS text FROM tenancy.invitations i WHERE id = $1`,
      [invitation.id],
    );
    expect(row?.token_hash).toBe(sha256(token));
    expect(row?.text).not.toContain(token);
    const [mail] = await readOutbox(stack.db, invitee.email, INVITATION_MAIL_KIND);
    expect(mail?.subject).toBe('You are invited to join Tenant alpha on Tessera');
    expect(mail?.text).toContain(`http://127.0.0.1:3000/accept-invitation?token=${token}`);
    expect(await mailedToken(invitee.email)).toBe(token);

    const accepted = await accept(invitee, token);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data?.acceptInvitation).toEqual({
      id: expect.any(String),
      role: 'MEMBER',
      createdAt: expect.any(String),
      user: { id: invitee.id, email: invitee.email },
      tenant: { id: tenantA, name: 'Tenant alpha' },
    });
    // The gateway dropped its cached "not a member" answer when the membership was committed.
    const now = await canUseTenant(invitee, tenantA);
    expect(now.body).toEqual({ data: { tenant: { id: tenantA } } });

    const list = await gql<{ invitations: Invitation[] }>(INVITATIONS, {}, admin.headers(tenantA));
    expect(list.body.data?.invitations.find((i) => i.id === invitation.id)?.acceptedAt).toEqual(
      expect.any(String),
    );
    expect((await eventsOf(tenantA, 'tenancy.member.invited')).at(-1)).toEqual({
      actor_id: admin.id,
      payload: expect.objectContaining({ invitationId: invitation.id, email: invitee.email }),
    });
    expect((await eventsOf(tenantA, 'tenancy.member.joined')).at(-1)).toEqual({
      actor_id: invitee.id,
      payload: expect.objectContaining({ userId: invitee.id, role: 'MEMBER' }),
    });
  });

  it('refuses a used, expired, revoked, replaced or made-up token with BAD_USER_INPUT', async () => {
    const first = await verifiedUser('first');
    const second = await verifiedUser('second');
    const used = await invited(admin, tenantA, first.email);
    expect((await accept(first, used.token)).body.errors).toBeUndefined();
    expect(codes(await accept(second, used.token))).toEqual(['BAD_USER_INPUT']);

    const expired = await invited(admin, tenantA, second.email);
    await stack.db.query(
      `UPDATE tenancy.invitations
          SET created_at = now() - interval '8 days', expires_at = now() - interval '1 second'
        WHERE id = $1`,
      [expired.invitation.id],
    );
    const late = await accept(second, expired.token);
    expect(codes(late)).toEqual(['BAD_USER_INPUT']);
    expect(late.body.errors?.[0]?.message).toMatch(/invalid, expired, revoked or already used/);

    const revoked = await invited(admin, tenantA, second.email);
    const revoke = await gql(REVOKE, { id: revoked.invitation.id }, admin.headers(tenantA));
    expect(revoke.body).toEqual({ data: { revokeInvitation: true } });
    expect(codes(await accept(second, revoked.token))).toEqual(['BAD_USER_INPUT']);
    const again = await gql(REVOKE, { id: revoked.invitation.id }, admin.headers(tenantA));
    expect(codes(again)).toEqual(['NOT_FOUND']);
    expect((await eventsOf(tenantA, 'tenancy.invitation.revoked')).at(-1)?.payload).toEqual({
      invitationId: revoked.invitation.id,
      email: second.email,
      role: 'MEMBER',
    });

    // Inviting the same address again replaces its pending invitation.
    const older = await invited(admin, tenantA, second.email);
    const newer = await invited(admin, tenantA, second.email, 'VIEWER');
    const pending = await stack.db.query(
      `SELECT id FROM tenancy.invitations
        WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL`,
      [tenantA, second.email],
    );
    expect(pending).toEqual([{ id: newer.invitation.id }]);
    expect(codes(await accept(second, older.token))).toEqual(['BAD_USER_INPUT']);

    for (const garbage of ['', 'not-a-token', 'x'.repeat(43), 'y'.repeat(10_000)]) {
      expect(codes(await accept(second, garbage))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await roleIn(tenantA, second.id)).toBeNull();
    expect((await accept(second, newer.token)).body.data?.acceptInvitation.role).toBe('VIEWER');
  });

  it('lets exactly one of two concurrent acceptances of one token win', async () => {
    const invitee = await verifiedUser('racer');
    const { token } = await invited(admin, tenantA, invitee.email);
    const results = await Promise.all([accept(invitee, token), accept(invitee, token)]);
    expect(results.map(codes).sort()).toEqual([[], ['BAD_USER_INPUT']]);
    expect(await roleIn(tenantA, invitee.id)).toBe('MEMBER');
  });

  it('answers CONFLICT to a current member and leaves the token usable', async () => {
    await markEmailVerified(stack.db, member);
    const { token } = await invited(admin, tenantA, member.email, 'ADMIN');
    const conflict = await accept(member, token);
    expect(codes(conflict)).toEqual(['CONFLICT']);
    expect(await roleIn(tenantA, member.id)).toBe('MEMBER');
    const pending = await stack.db.query(
      `SELECT id FROM tenancy.invitations
        WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL`,
      [tenantA, member.email],
    );
    expect(pending).toHaveLength(1);
  });

  it('needs a signed-in user to accept, not an anonymous caller', async () => {
    const response = await postGraphQL(stack.gatewayUrl, {
      query: ACCEPT,
      variables: { token: 'x'.repeat(43) },
    });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses to join a suspended tenant, and the token still works once it is active', async () => {
    const tenantId = await freshTenant('suspended');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    const invitee = await verifiedUser('suspended');
    const { token } = await invited(tenantAdmin, tenantId, invitee.email);
    await stack.db.query(`UPDATE tenancy.tenants SET status = 'SUSPENDED' WHERE id = $1`, [
      tenantId,
    ]);
    expect(codes(await accept(invitee, token))).toEqual(['TENANT_SUSPENDED']);
    expect(await roleIn(tenantId, invitee.id)).toBeNull();
    await stack.db.query(`UPDATE tenancy.tenants SET status = 'ACTIVE' WHERE id = $1`, [tenantId]);
    expect((await accept(invitee, token)).body.errors).toBeUndefined();
  });

  it('lets OWNERs and ADMINs invite, and only an OWNER invite or revoke an OWNER', async () => {
    expect(codes(await invite(member, tenantA, 'm@example.com'))).toEqual(['FORBIDDEN']);
    expect(codes(await invite(viewer, tenantA, 'v@example.com'))).toEqual(['FORBIDDEN']);
    expect(codes(await invite(admin, tenantA, 'o@example.com', 'OWNER'))).toEqual(['FORBIDDEN']);
    // Role first: a MEMBER learns nothing from the address's validation.
    expect(codes(await invite(member, tenantA, 'not an address'))).toEqual(['FORBIDDEN']);

    const ownerInvitation = await invited(owner, tenantA, 'new-owner@example.com', 'OWNER');
    expect(ownerInvitation.invitation.role).toBe('OWNER');
    const byAdmin = await gql(
      REVOKE,
      { id: ownerInvitation.invitation.id },
      admin.headers(tenantA),
    );
    expect(codes(byAdmin)).toEqual(['FORBIDDEN']);
    const byMember = await gql(
      REVOKE,
      { id: ownerInvitation.invitation.id },
      member.headers(tenantA),
    );
    expect(codes(byMember)).toEqual(['FORBIDDEN']);
    expect(codes(await gql(INVITATIONS, {}, member.headers(tenantA)))).toEqual(['FORBIDDEN']);
    const byOwner = await gql(
      REVOKE,
      { id: ownerInvitation.invitation.id },
      owner.headers(tenantA),
    );
    expect(byOwner.body).toEqual({ data: { revokeInvitation: true } });
  });

  it.each([
    [
      'an address too long',
      `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com`,
    ],
    ['a huge input', 'a'.repeat(100_000)],
    ['no @', 'not-an-address'],
    ['a display name', 'Ada <ada@example.com>'],
    ['a second header', 'ada@example.com\r\nBcc: eve@example.com'],
    ['two addresses', 'ada@example.com,eve@example.com'],
  ])('refuses %s as BAD_USER_INPUT and sends nothing', async (_case, email) => {
    const response = await invite(admin, tenantA, email);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    const [row] = await stack.db.query<{ count: string }>(
      `SELECT count(*) FROM mail.outbox WHERE recipient = $1`,
      [email.trim().toLowerCase()],
    );
    expect(row?.count).toBe('0');
  });

  it(`caps a tenant's pending invitations at ${MAX_PENDING_INVITATIONS_PER_TENANT}`, async () => {
    const tenantId = await freshTenant('capped');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    await stack.db.query(
      `INSERT INTO tenancy.invitations (tenant_id, email, role, token_hash, expires_at)
       SELECT $1::uuid, 'cap-' || i || '@example.com', 'MEMBER', md5(i::text) || md5($1::text || i),
              now() + interval '1 day'
         FROM generate_series(1, $2::int) AS i`,
      [tenantId, MAX_PENDING_INVITATIONS_PER_TENANT - 1],
    );
    await invited(tenantAdmin, tenantId, 'last@example.com');
    const over = await invite(tenantAdmin, tenantId, 'over@example.com');
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.body.errors?.[0]?.message).toMatch(
      `at most ${MAX_PENDING_INVITATIONS_PER_TENANT} pending invitations`,
    );
    // Replacing a pending invitation adds none.
    await invited(tenantAdmin, tenantId, 'cap-1@example.com', 'VIEWER');
    // Expired ones do not count: the next invitation clears them.
    await stack.db.query(
      `UPDATE tenancy.invitations SET created_at = now() - interval '2 days',
              expires_at = now() - interval '1 day'
        WHERE tenant_id = $1 AND email LIKE 'cap-2%'`,
      [tenantId],
    );
    await invited(tenantAdmin, tenantId, 'over@example.com');
  });

  it(`limits a tenant to ${INVITATIONS_PER_HOUR} invitations an hour`, async () => {
    const tenantId = await freshTenant('busy');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    for (let i = 0; i < INVITATIONS_PER_HOUR; i += 1) {
      await invited(tenantAdmin, tenantId, `busy-${i}@example.com`);
    }
    const over = await invite(tenantAdmin, tenantId, 'one-more@example.com');
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    expect(over.body.errors?.[0]?.extensions?.retryAfter).toEqual(expect.any(Number));
    // Other tenants keep their own budget.
    expect((await invite(adminB, tenantB, 'b-invitee@example.com')).body.errors).toBeUndefined();
  });
});

describe('listing members', () => {
  let tenantId: string;
  let people: TestUser[];

  beforeAll(async () => {
    tenantId = await freshTenant('listed');
    people = [];
    // One at a time, so created_at orders them as created.
    for (const role of ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'MEMBER'] as const) {
      people.push(await signUpMember(stack.gatewayUrl, stack.db, tenantId, role));
    }
  });

  async function page(user: TestUser, variables: Record<string, unknown>) {
    const response = await gql<MembersPage>(MEMBERS, variables, user.headers(tenantId));
    if (!response.body.data) throw new Error(`members failed: ${response.text}`);
    return response.body.data.tenant.members;
  }

  it('pages through the members oldest first, each user resolved by auth', async () => {
    const viewerOf = people[3]!;
    const first = await page(viewerOf, { first: 2 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(viewerOf, { first: 2, after: first.pageInfo.endCursor });
    const third = await page(viewerOf, { first: 2, after: second.pageInfo.endCursor });
    expect(third.pageInfo.hasNextPage).toBe(false);
    const nodes = [...first.nodes, ...second.nodes, ...third.nodes];
    expect(nodes.map((node) => [node.user.id, node.user.email, node.role])).toEqual(
      people.map((person, i) => [
        person.id,
        person.email,
        ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'MEMBER'][i],
      ]),
    );
    for (const node of nodes) expect(node.tenant.id).toBe(tenantId);
  });

  it('costs one auth call for all the users and no tenant query per member', async () => {
    const reader = people[0]!;
    await page(reader, { first: 1 }); // warms the gateway's role cache
    const measure = async (first: number) => {
      const [authBefore, tenancyBefore] = await Promise.all([
        scrape(stack.url('auth')),
        scrape(stack.url('tenancy')),
      ]);
      const result = await page(reader, { first });
      const [authAfter, tenancyAfter] = await Promise.all([
        scrape(stack.url('auth')),
        scrape(stack.url('tenancy')),
      ]);
      expect(result.nodes).toHaveLength(first);
      return {
        authOperations:
          metricValue(authAfter, 'tessera_graphql_operations_total') -
          metricValue(authBefore, 'tessera_graphql_operations_total'),
        tenancyQueries:
          metricValue(tenancyAfter, 'tessera_db_queries_total', { outcome: 'ok' }) -
          metricValue(tenancyBefore, 'tessera_db_queries_total', { outcome: 'ok' }),
      };
    };
    const one = await measure(1);
    const five = await measure(5);
    expect(one.authOperations).toBe(1);
    expect(five.authOperations).toBe(1);
    expect(five.tenancyQueries).toBe(one.tenancyQueries);
  });

  it('refuses a bad page size or cursor with BAD_USER_INPUT', async () => {
    for (const variables of [
      { first: 0 },
      { first: 101 },
      { after: 'not-a-cursor' },
      { after: Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url') },
    ]) {
      const response = await gql(MEMBERS, variables, people[0]!.headers(tenantId));
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("shows no other tenant's members or invitations", async () => {
    const pendingInA = await invited(admin, tenantA, 'only-in-a@example.com');
    const asB = await gql<MembersPage>(MEMBERS, { first: 100 }, adminB.headers(tenantB));
    expect(asB.body.data?.tenant.members.nodes.map((node) => node.user.id)).toEqual([adminB.id]);
    const invitationsB = await gql<{ invitations: Invitation[] }>(
      INVITATIONS,
      {},
      adminB.headers(tenantB),
    );
    expect(invitationsB.body.data?.invitations.map((i) => i.email)).not.toContain(
      'only-in-a@example.com',
    );
    // Ids from tenant A mean nothing in tenant B.
    const revoke = await gql(REVOKE, { id: pendingInA.invitation.id }, adminB.headers(tenantB));
    expect(codes(revoke)).toEqual(['NOT_FOUND']);
    const demote = await gql(
      UPDATE_ROLE,
      { userId: member.id, role: 'VIEWER' },
      adminB.headers(tenantB),
    );
    expect(codes(demote)).toEqual(['NOT_FOUND']);
    expect(codes(await gql(REMOVE, { userId: member.id }, adminB.headers(tenantB)))).toEqual([
      'NOT_FOUND',
    ]);
    // And tenant A's members cannot be reached from B's side at all.
    expect(codes(await gql(MEMBERS, {}, adminB.headers(tenantA)))).toEqual(['FORBIDDEN']);
    const viaMyTenants = await gql(
      '{ myTenants { tenant { members { nodes { id } } } } }',
      {},
      adminB.headers(),
    );
    expect(codes(viaMyTenants)).toContain('FORBIDDEN');
  });

  it('lets an API key with members:read list members, and refuses one without', async () => {
    const createKey = async (scopes: string[]) => {
      const response = await gql<{ createApiKey: { secret: string } }>(
        `mutation ($scopes: [String!]!) { createApiKey(name: "members", scopes: $scopes) { secret } }`,
        { scopes },
        people[1]!.headers(tenantId),
      );
      if (!response.body.data) throw new Error(`createApiKey failed: ${response.text}`);
      return response.body.data.createApiKey.secret;
    };
    const reader = await createKey(['members:read']);
    const other = await createKey(['assets:read']);
    const withKey = (key: string, query: string, variables: Record<string, unknown> = {}) =>
      gql<MembersPage>(query, variables, { 'x-api-key': key, 'x-tenant-id': tenantId });
    const listQuery = '{ tenant { members(first: 10) { nodes { role user { id } } } } }';

    const listed = await withKey(reader, listQuery);
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data?.tenant.members.nodes.map((node) => node.user.id)).toEqual(
      people.map((person) => person.id),
    );
    expect(codes(await withKey(other, listQuery))).toEqual(['FORBIDDEN']);
    // Reading members is all: a key manages nobody.
    const inviting = await withKey(reader, INVITE, { email: 'k@example.com', role: 'MEMBER' });
    expect(codes(inviting)).toEqual(['FORBIDDEN']);
    expect(codes(await withKey(reader, LEAVE))).toEqual(['FORBIDDEN']);
  });
});

describe('changing roles and removing members', () => {
  it('lets an ADMIN change a role, applied by the gateway at once', async () => {
    const tenantId = await freshTenant('promote');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    const person = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
    // Cached by the gateway as MEMBER: invitations are refused.
    expect(codes(await gql(INVITATIONS, {}, person.headers(tenantId)))).toEqual(['FORBIDDEN']);

    const updated = await gql<{ updateMemberRole: { role: string; user: { id: string } } }>(
      UPDATE_ROLE,
      { userId: person.id, role: 'ADMIN' },
      tenantAdmin.headers(tenantId),
    );
    expect(updated.body.data?.updateMemberRole).toEqual({
      id: expect.any(String),
      role: 'ADMIN',
      user: { id: person.id },
      tenant: { id: tenantId },
    });
    const now = await gql(INVITATIONS, {}, person.headers(tenantId));
    expect(now.body.errors).toBeUndefined();
    expect((await eventsOf(tenantId, 'tenancy.member.role_changed')).at(-1)).toEqual({
      actor_id: tenantAdmin.id,
      payload: { userId: person.id, previousRole: 'MEMBER', role: 'ADMIN' },
    });
    const unknown = await gql(
      UPDATE_ROLE,
      { userId: randomUUID(), role: 'VIEWER' },
      tenantAdmin.headers(tenantId),
    );
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    const malformed = await gql(
      UPDATE_ROLE,
      { userId: 'not-a-uuid', role: 'VIEWER' },
      tenantAdmin.headers(tenantId),
    );
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
  });

  it('lets only an OWNER make, unmake or remove an OWNER', async () => {
    const tenantId = await freshTenant('owners');
    const tenantOwner = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    const person = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
    const asAdmin = tenantAdmin.headers(tenantId);

    const promote = await gql(UPDATE_ROLE, { userId: person.id, role: 'OWNER' }, asAdmin);
    expect(codes(promote)).toEqual(['FORBIDDEN']);
    const self = await gql(UPDATE_ROLE, { userId: tenantAdmin.id, role: 'OWNER' }, asAdmin);
    expect(codes(self)).toEqual(['FORBIDDEN']);
    const demote = await gql(UPDATE_ROLE, { userId: tenantOwner.id, role: 'ADMIN' }, asAdmin);
    expect(codes(demote)).toEqual(['FORBIDDEN']);
    expect(codes(await gql(REMOVE, { userId: tenantOwner.id }, asAdmin))).toEqual(['FORBIDDEN']);
    const byMember = await gql(
      UPDATE_ROLE,
      { userId: tenantAdmin.id, role: 'VIEWER' },
      person.headers(tenantId),
    );
    expect(codes(byMember)).toEqual(['FORBIDDEN']);
    expect(await ownerCount(tenantId)).toBe(1);

    const byOwner = await gql(
      UPDATE_ROLE,
      { userId: person.id, role: 'OWNER' },
      tenantOwner.headers(tenantId),
    );
    expect(byOwner.body.errors).toBeUndefined();
    expect(await ownerCount(tenantId)).toBe(2);
  });

  it('never lets the last OWNER be demoted, removed or leave', async () => {
    const tenantId = await freshTenant('last-owner');
    const lastOwner = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
    const asOwner = lastOwner.headers(tenantId);

    const demote = await gql(UPDATE_ROLE, { userId: lastOwner.id, role: 'ADMIN' }, asOwner);
    expect(codes(demote)).toEqual(['CONFLICT']);
    expect(demote.body.errors?.[0]?.message).toMatch(/must keep at least one OWNER/);
    const remove = await gql(REMOVE, { userId: lastOwner.id }, asOwner);
    expect(codes(remove)).toEqual(['CONFLICT']);
    expect(remove.body.errors?.[0]?.message).toMatch(/must keep at least one OWNER/);
    const leave = await gql(LEAVE, {}, asOwner);
    expect(codes(leave)).toEqual(['CONFLICT']);
    expect(leave.body.errors?.[0]?.message).toMatch(/last OWNER/);
    expect(await roleIn(tenantId, lastOwner.id)).toBe('OWNER');
    expect(await eventsOf(tenantId, 'tenancy.member.role_changed')).toEqual([]);
  });

  it('leaves one OWNER when two OWNERs demote each other at the same time', async () => {
    for (let round = 0; round < 3; round += 1) {
      const tenantId = await freshTenant(`duel-${round}`);
      const [one, two] = await Promise.all([
        signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER'),
        signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER'),
      ]);
      const results = await Promise.all([
        gql(UPDATE_ROLE, { userId: two.id, role: 'ADMIN' }, one.headers(tenantId)),
        gql(UPDATE_ROLE, { userId: one.id, role: 'ADMIN' }, two.headers(tenantId)),
      ]);
      const outcomes = results.map(codes);
      expect(outcomes.filter((outcome) => outcome.length === 0)).toHaveLength(1);
      expect(outcomes.flat()).toEqual([expect.stringMatching(/^(FORBIDDEN|CONFLICT)$/)]);
      expect(await ownerCount(tenantId)).toBe(1);
    }
  });

  it('refuses a removed member at the gateway at once', async () => {
    const tenantId = await freshTenant('removal');
    const tenantAdmin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
    const person = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'MEMBER');
    // Cached by the gateway as a member.
    expect((await canUseTenant(person, tenantId)).body.errors).toBeUndefined();

    const removed = await gql(REMOVE, { userId: person.id }, tenantAdmin.headers(tenantId));
    expect(removed.body).toEqual({ data: { removeMember: true } });
    expect(codes(await canUseTenant(person, tenantId))).toEqual(['FORBIDDEN']);
    expect((await eventsOf(tenantId, 'tenancy.member.removed')).at(-1)).toEqual({
      actor_id: tenantAdmin.id,
      payload: { userId: person.id, role: 'MEMBER' },
    });
    const again = await gql(REMOVE, { userId: person.id }, tenantAdmin.headers(tenantId));
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });

  it('lets a member leave, and then refuses it at once', async () => {
    const tenantId = await freshTenant('leaving');
    await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
    const person = await signUpUser(stack.gatewayUrl, 'leaver');
    await addMember(stack.db, tenantId, person.id, 'OWNER');
    expect((await canUseTenant(person, tenantId)).body.errors).toBeUndefined();

    // One of two OWNERs may leave.
    const left = await gql(LEAVE, {}, person.headers(tenantId));
    expect(left.body).toEqual({ data: { leaveTenant: true } });
    expect(codes(await canUseTenant(person, tenantId))).toEqual(['FORBIDDEN']);
    expect((await eventsOf(tenantId, 'tenancy.member.left')).at(-1)).toEqual({
      actor_id: person.id,
      payload: { userId: person.id, role: 'OWNER' },
    });
    expect(await ownerCount(tenantId)).toBe(1);
  });
});
