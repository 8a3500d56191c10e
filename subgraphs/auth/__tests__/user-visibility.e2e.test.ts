import { randomUUID } from 'node:crypto';
import { postGraphQL } from '../../../testing/graphql-client';
import {
  addMember,
  signUpMember,
  signUpPlatformAdmin,
  type TestUser,
} from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';

// Who sees `User.platformAdmin`, through the real gateway, auth and tenancy: a tenant whose
// members include a platform administrator, read by a co-member, by the user themself and by
// a platform admin.

const tenantId = randomUUID();
let stack: TestStack;
let admin: TestUser;
let member: TestUser;

const MEMBERS = `{ tenant { members { nodes { user { id platformAdmin } } } } }`;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'visible', 'Visible')`,
    [tenantId],
  );
  admin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  await addMember(stack.db, tenantId, admin.id, 'VIEWER');
  member = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function platformAdminOf(reader: TestUser): Promise<Record<string, boolean | null>> {
  const response = await postGraphQL<{
    tenant: { members: { nodes: { user: { id: string; platformAdmin: boolean | null } }[] } };
  }>(stack.gatewayUrl, { query: MEMBERS }, reader.headers(tenantId));
  if (!response.body.data) throw new Error(`members failed: ${response.text}`);
  return Object.fromEntries(
    response.body.data.tenant.members.nodes.map(({ user }) => [user.id, user.platformAdmin]),
  );
}

it('does not tell a co-member that someone is a platform admin (null), only about themself', async () => {
  expect(await platformAdminOf(member)).toEqual({ [admin.id]: null, [member.id]: false });
});

it('tells platform admins about everyone', async () => {
  expect(await platformAdminOf(admin)).toEqual({ [admin.id]: true, [member.id]: false });
  const user = await postGraphQL(
    stack.gatewayUrl,
    { query: `query ($id: ID!) { user(id: $id) { platformAdmin } }`, variables: { id: member.id } },
    admin.headers(),
  );
  expect(user.body.data).toEqual({ user: { platformAdmin: false } });
});

it('tells a user about themself through me', async () => {
  for (const [reader, expected] of [
    [admin, true],
    [member, false],
  ] as const) {
    const me = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ me { platformAdmin } }' },
      reader.headers(),
    );
    expect(me.body.data).toEqual({ me: { platformAdmin: expected } });
  }
});
