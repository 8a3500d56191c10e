import { randomUUID } from 'node:crypto';
import { postGraphQL, codeOf, dataOf } from '../../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { auditTrailCaughtUp, gqlClient } from './observability-client';

// auditLog and platformAuditLog through the gateway, from what real requests wrote to the
// event journal and the observability process copied into the audit trail: API keys made and
// revoked, a role changed, a failed sign-in.

let stack: TestStack;
const tenant = randomUUID();
const otherTenant = randomUUID();
let owner: TestUser;
let member: TestUser;
let otherOwner: TestUser;
let platformAdmin: TestUser;
let revokedKeyId: string;
let auditKey: string;
const gql = gqlClient(() => stack.gatewayUrl);

const ENTRY = 'id action actor { id } actorKind actorId target ip userAgent requestId at details';
const AUDIT = `query ($first: Int, $after: Cursor, $action: String, $actorId: ID) {
  auditLog(first: $first, after: $after, action: $action, actorId: $actorId) {
    nodes { ${ENTRY} } pageInfo { endCursor hasNextPage } } }`;

interface Entry {
  id: string;
  action: string;
  actor: { id: string } | null;
  actorKind: string | null;
  actorId: string | null;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  at: string;
  details: Record<string, unknown>;
}
interface Page {
  nodes: Entry[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

async function createKey(as: TestUser, tenantId: string, scopes: string[]) {
  return dataOf(
    await gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      `mutation ($scopes: [String!]!) { createApiKey(name: "k", scopes: $scopes) { secret apiKey { id } } }`,
      as.headers(tenantId),
      { scopes },
    ),
  ).createApiKey;
}

beforeAll(async () => {
  stack = await startStack({ env: { AUDIT_RECORD_INTERVAL_MS: '100' } });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'audited', 'A'), ($2, 'audited-other', 'B')`,
    [tenant, otherTenant],
  );
  [owner, member, otherOwner] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, otherTenant, 'OWNER'),
  ]);
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);

  const revoked = await createKey(owner, tenant, ['assets:read']);
  revokedKeyId = revoked.apiKey.id;
  dataOf(
    await postGraphQL(
      stack.gatewayUrl,
      { query: `mutation ($id: ID!) { revokeApiKey(id: $id) }`, variables: { id: revokedKeyId } },
      {
        ...owner.headers(tenant),
        'x-request-id': 'audit-revoke-1',
        'user-agent': 'audit-test/1.0',
      },
    ),
  );
  dataOf(
    await gql(
      `mutation ($userId: ID!) { updateMemberRole(userId: $userId, role: ADMIN) { role } }`,
      owner.headers(tenant),
      { userId: member.id },
    ),
  );
  auditKey = (await createKey(owner, tenant, ['audit:read'])).secret;
  await createKey(otherOwner, otherTenant, ['assets:read']);
  // A failed sign-in: a platform event (no tenant is chosen before signing in).
  await gql(
    `mutation ($email: String!) { signIn(email: $email, password: "wrong password, surely") { __typename } }`,
    {},
    { email: member.email },
  );
  await auditTrailCaughtUp(stack.db);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('auditLog', () => {
  it("shows the tenant's security-relevant actions, newest first, with who, from where and on what", async () => {
    const { nodes } = dataOf(await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant))).auditLog;
    const actions = nodes.map((entry) => entry.action);
    expect(actions.slice(0, 4)).toEqual([
      'auth.api_key.created',
      'tenancy.member.role_changed',
      'auth.api_key.revoked',
      'auth.api_key.created',
    ]);
    const revoke = nodes.find((entry) => entry.action === 'auth.api_key.revoked')!;
    expect(revoke).toMatchObject({
      actor: { id: owner.id },
      actorKind: 'user',
      actorId: owner.id,
      target: `apiKey:${revokedKeyId}`,
      requestId: 'audit-revoke-1',
      userAgent: 'audit-test/1.0',
    });
    expect(revoke.ip).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(revoke.at)).not.toBeNaN();
    // Only audited actions: nothing else of the journal (e.g. alert firings) shows.
    expect(actions.every((action) => /^(auth|tenancy|jobs|observability)\./.test(action))).toBe(
      true,
    );
  });

  it('filters by action and by actor, and pages with a cursor', async () => {
    const byAction = dataOf(
      await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant), {
        action: 'tenancy.member.role_changed',
      }),
    ).auditLog.nodes;
    expect(byAction.map((entry) => entry.action)).toEqual(['tenancy.member.role_changed']);
    expect(byAction[0]!.target).toBe(`user:${member.id}`);

    const byActor = dataOf(
      await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant), { actorId: member.id }),
    ).auditLog.nodes;
    expect(byActor).toEqual([]);
    const byOwner = dataOf(
      await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant), { actorId: owner.id }),
    ).auditLog.nodes;
    expect(byOwner.length).toBeGreaterThanOrEqual(4);
    expect(byOwner.every((entry) => entry.actorId === owner.id)).toBe(true);

    const first = dataOf(
      await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant), { first: 2 }),
    ).auditLog;
    expect(first.nodes).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = dataOf(
      await gql<{ auditLog: Page }>(AUDIT, owner.headers(tenant), {
        first: 2,
        after: first.pageInfo.endCursor,
      }),
    ).auditLog;
    expect(second.nodes.map((entry) => entry.action)).toEqual([
      'auth.api_key.revoked',
      'auth.api_key.created',
    ]);
    expect(second.nodes.map((entry) => entry.id)).not.toContain(first.nodes[0]!.id);
  });

  it('is readable with an API key that has audit:read', async () => {
    const response = await gql<{ auditLog: Page }>(AUDIT, {
      'x-api-key': auditKey,
      'x-tenant-id': tenant,
    });
    expect(dataOf(response).auditLog.nodes.length).toBeGreaterThan(0);
  });

  it("refuses members, keeps other tenants' actions out, and rejects bad arguments", async () => {
    const viewer = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'VIEWER');
    expect(codeOf(await gql(AUDIT, viewer.headers(tenant)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(AUDIT, otherOwner.headers(tenant)))).toBe('FORBIDDEN');
    const theirs = dataOf(await gql<{ auditLog: Page }>(AUDIT, otherOwner.headers(otherTenant)))
      .auditLog.nodes;
    expect(theirs.map((entry) => entry.action)).toEqual(['auth.api_key.created']);
    expect(theirs[0]!.actorId).toBe(otherOwner.id);
    for (const variables of [
      { action: 'assets.asset.created' },
      { action: 'not a type' },
      { actorId: 'nobody' },
      { after: 'garbage' },
      { first: 0 },
    ]) {
      expect([variables, codeOf(await gql(AUDIT, owner.headers(tenant), variables))]).toEqual([
        variables,
        'BAD_USER_INPUT',
      ]);
    }
  });
});

describe('platformAuditLog', () => {
  const query = `query ($action: String) { platformAuditLog(action: $action) { nodes { ${ENTRY} } } }`;

  it('shows platform events such as failed sign-ins to platform administrators', async () => {
    const { nodes } = dataOf(
      await gql<{ platformAuditLog: Page }>(query, platformAdmin.headers(), {
        action: 'auth.sign_in.failed',
      }),
    ).platformAuditLog;
    const failure = nodes.find((entry) => entry.details.userId === member.id);
    expect(failure).toMatchObject({ action: 'auth.sign_in.failed', actor: null, actorKind: null });
    expect(failure!.target).toBe(`user:${member.id}`);
    expect(failure!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('refuses a tenant owner', async () => {
    expect(codeOf(await gql(query, owner.headers(tenant)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(query, owner.headers()))).toBe('FORBIDDEN');
  });
});
